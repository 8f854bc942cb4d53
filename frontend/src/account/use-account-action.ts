"use client";

import { useState } from "react";
import { ensureCsrf } from "@/api/allauth";
import type { Locale } from "@/lib/i18n";

export type FieldErrors = Record<string, string[]>;

/** What every account screen does around a call to allauth: busy while it runs, CSRF first, notice cleared,
 *  and an unexpected failure (network, a 5xx) shown as one message instead of a silent button. */
export function useAccountAction(locale: Locale, unexpected: string) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string>();

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setNotice(undefined);
    try {
      await ensureCsrf(locale);
      await action();
    } catch {
      setErrors({ "": [unexpected] });
    } finally {
      setBusy(false);
    }
  }

  return { busy, errors, setErrors, notice, setNotice, run };
}
