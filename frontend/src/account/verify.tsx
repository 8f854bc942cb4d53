"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { accountsClient, announceSessionChange, BROWSER, messagesByParam } from "@/api/allauth";
import { dictionary, type Locale } from "@/lib/i18n";
import { CodeForm, Errors, Pitch } from "./ui";
import { useAccountAction } from "./use-account-action";

type Step = "code" | "checking" | "done" | "login";
type ErrorBody = Parameters<typeof messagesByParam>[0];

/** Verify the e-mail address: with the key of an e-mail's link (/account/verify-email/KEY), or by typing the
 *  code of the pending verification (a person who signed up and left, sent here by the video page). */
export function VerifyEmailFlow({ locale, next, linkKey }: { locale: Locale; next: string; linkKey?: string }) {
  const t = dictionary(locale).account;
  const [step, setStep] = useState<Step>(linkKey ? "checking" : "code");
  const { busy, errors, setErrors, notice, setNotice, run } = useAccountAction(locale, t.unexpected);
  const started = useRef(false);
  const query = `?next=${encodeURIComponent(next)}`;

  const verify = (key: string) =>
    run(async () => {
      const { data, error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/email/verify", { ...BROWSER, body: { key } });
      if (data) {
        announceSessionChange(); // the person who signed up in this browser is now logged in
        return setStep("done");
      }
      if (response.status === 401) return setStep("login"); // verified, but this browser is not logged in
      setStep("code");
      // 409: no verification is pending any more in this session; a code expires after 30 minutes.
      setErrors(response.status === 409 ? { "": [t.codeExpired] } : messagesByParam(error as ErrorBody));
    });

  const resend = () =>
    run(async () => {
      const { error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/email/verify/resend", BROWSER);
      if (response.ok) {
        setErrors({});
        setNotice(t.resent);
      } else setErrors(response.status === 409 ? { "": [t.codeExpired] } : messagesByParam(error as ErrorBody));
    });

  useEffect(() => {
    // Once, even under React's strict double effects: a key is worth one submission.
    if (linkKey && !started.current) {
      started.current = true;
      verify(linkKey);
    }
  });

  return (
    <div className="account">
      <Pitch locale={locale} />
      <section>
        {step === "checking" && <p role="status">{t.verifyingLink}</p>}
        {step === "code" && (
          <>
            <CodeForm locale={locale} onSubmit={verify} onResend={resend} errors={errors} notice={notice} busy={busy} />
            {errors[""]?.includes(t.codeExpired) && <p><Link href={`/${locale}/account/login${query}`}>{t.loginTitle}</Link></p>}
          </>
        )}
        {step === "done" && (
          <>
            <h1>{t.successTitle}</h1>
            <p>{t.successText}</p>
            <p><Link className="button" href={next}>{t.continue}</Link></p>
          </>
        )}
        {step === "login" && (
          <>
            <h1>{t.successTitle}</h1>
            <Errors messages={errors[""]} />
            <p>{t.verifiedLogin}</p>
            <p><Link className="button" href={`/${locale}/account/login${query}`}>{t.loginTitle}</Link></p>
          </>
        )}
      </section>
    </div>
  );
}
