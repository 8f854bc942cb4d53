import type { Metadata } from "next";
import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { VerifyEmailFlow } from "@/account/verify";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export const metadata: Metadata = { robots: { index: false } };

export default async function VerifyEmailPage(props: AccountPageProps) {
  const { locale, next, alternate } = await accountContext(props, "verify-email");
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.verifyTitle}</title>
      <VerifyEmailFlow locale={locale} next={next} />
    </Shell>
  );
}
