"use client";

import { useEffect, useState } from "react";
import { DEFAULT_LOCALE, dictionary, isLocale, type Locale } from "@/lib/i18n";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  const [locale, setLocale] = useState<Locale>(DEFAULT_LOCALE);
  useEffect(() => {
    const first = window.location.pathname.split("/")[1];
    if (isLocale(first)) setLocale(first);
  }, []);
  const t = dictionary(locale);
  return (
    <main id="main" className="narrow">
      <h1>{t.errorTitle}</h1>
      <p>{t.errorText}</p>
      <button type="button" onClick={reset}>{t.retry}</button>
    </main>
  );
}
