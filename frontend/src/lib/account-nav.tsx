"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { accountsClient, BROWSER, SESSION_CHANGED } from "@/api/allauth";
import { dictionary, type Locale } from "@/lib/i18n";

/** Log-in and sign-up links, or the signed-in person and a log-out link (from allauth's browser session). */
export function AccountNav({ locale }: { locale: Locale }) {
  const t = dictionary(locale);
  const pathname = usePathname();
  const [email, setEmail] = useState<string | null>(null);
  useEffect(() => {
    const read = () =>
      accountsClient(locale)
        .GET("/_allauth/{client}/v1/auth/session", BROWSER)
        .then(({ data }) => setEmail(data?.data.user.email ?? null))
        .catch(() => setEmail(null));
    read();
    // Again on each navigation (signing in or out happens on other screens of this same client) and when a
    // screen logs the person in or out where they are.
    window.addEventListener(SESSION_CHANGED, read);
    return () => window.removeEventListener(SESSION_CHANGED, read);
  }, [locale, pathname]);
  const next = `?next=${encodeURIComponent(pathname)}`;
  return (
    <div className="account-nav">
      {email ? (
        <>
          <span>{t.account.loggedInAs(email)}</span> <Link href={`/${locale}/account/logout${next}`}>{t.nav.logout}</Link>
        </>
      ) : (
        <>
          <Link href={`/${locale}/account/login${next}`}>{t.nav.login}</Link>{" "}
          <Link href={`/${locale}/account/signup${next}`}>{t.nav.signup}</Link>
        </>
      )}
    </div>
  );
}
