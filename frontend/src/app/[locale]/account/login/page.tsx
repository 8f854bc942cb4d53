import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { LoginFlow } from "@/account/login";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export default async function LoginPage(props: AccountPageProps) {
  const { locale, next, alternate } = await accountContext(props, "login");
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.loginTitle}</title>
      <LoginFlow locale={locale} next={next} />
    </Shell>
  );
}
