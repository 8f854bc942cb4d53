import Link from "next/link";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, dictionary, isLocale } from "@/lib/i18n";

export default async function NotFound() {
  const value = (await headers()).get("x-portal-locale") ?? undefined;
  const locale = isLocale(value) ? value : DEFAULT_LOCALE;
  const t = dictionary(locale);
  return (
    <main id="main" className="narrow">
      <h1>{t.notFoundTitle}</h1>
      <p>{t.notFoundText}</p>
      <p><Link href={`/${locale}/`}>{t.backHome}</Link></p>
    </main>
  );
}
