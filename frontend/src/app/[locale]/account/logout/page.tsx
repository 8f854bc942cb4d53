import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { Logout } from "@/account/login";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export default async function LogoutPage(props: AccountPageProps) {
  const { locale, next, alternate } = await accountContext(props, "logout");
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.logoutButton}</title>
      <Logout locale={locale} next={next} />
    </Shell>
  );
}
