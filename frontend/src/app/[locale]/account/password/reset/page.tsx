import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { ResetFlow } from "@/account/reset";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export default async function ResetPage(props: AccountPageProps) {
  const { locale, next, alternate } = await accountContext(props, "password/reset");
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.resetTitle}</title>
      <ResetFlow locale={locale} next={next} />
    </Shell>
  );
}
