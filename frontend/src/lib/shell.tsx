import Link from "next/link";
import { dictionary, type Locale } from "@/lib/i18n";
import { sections } from "@/lib/content";
import { AccountNav } from "@/lib/account-nav";

/** The frame of every page: header with the sections, the language switcher to this page's translation. */
export async function Shell({
  locale,
  alternate,
  children,
}: {
  locale: Locale;
  alternate: string | null;
  children: React.ReactNode;
}) {
  const t = dictionary(locale);
  const other: Locale = locale === "fr" ? "en" : "fr";
  const links = await sections(locale);
  return (
    <>
      <a className="skip" href="#main">{t.skip}</a>
      <header className="site-header">
        <Link href={`/${locale}/`} className="brand">{t.siteName}</Link>
        <nav aria-label={t.nav.home}>
          <ul>
            {links.map((link) => (
              <li key={link.url}><Link href={link.url}>{link.title}</Link></li>
            ))}
            <li><Link href={`/${locale}/search/`}>{t.discovery.search}</Link></li>
          </ul>
        </nav>
        <AccountNav locale={locale} />
        {alternate && (
          <a className="language" href={alternate} hrefLang={other} lang={other} title={t.switchLanguage}>
            {t.otherLanguage}
          </a>
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
