import type { Metadata } from "next";
import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { VerifyEmailFlow } from "@/account/verify";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export const metadata: Metadata = { robots: { index: false } };

type Props = { params: Promise<{ locale: string; key: string }>; searchParams: AccountPageProps["searchParams"] };

/** The page allauth's verification e-mails link to (HEADLESS_FRONTEND_URLS["account_confirm_email"]). */
export default async function VerifyEmailKeyPage(props: Props) {
  const { key } = await props.params;
  const { locale, next, alternate } = await accountContext(props, `verify-email/${encodeURIComponent(key)}`);
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.verifyTitle}</title>
      <VerifyEmailFlow locale={locale} next={next} linkKey={key} />
    </Shell>
  );
}
