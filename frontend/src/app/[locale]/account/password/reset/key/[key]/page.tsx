import type { Metadata } from "next";
import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { ResetFlow } from "@/account/reset";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export const metadata: Metadata = { robots: { index: false } };

type Props = { params: Promise<{ locale: string; key: string }>; searchParams: AccountPageProps["searchParams"] };

/** The page allauth's reset e-mails link to (HEADLESS_FRONTEND_URLS["account_reset_password_from_key"]): the key
 *  is checked at once, then the new password is asked for. */
export default async function ResetKeyPage(props: Props) {
  const { key } = await props.params;
  const { locale, next, alternate } = await accountContext(props, `password/reset/key/${encodeURIComponent(key)}`);
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.newPasswordTitle}</title>
      <ResetFlow locale={locale} next={next} linkKey={key} />
    </Shell>
  );
}
