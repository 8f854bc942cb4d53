"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { accountsClient, BROWSER, messagesByParam } from "@/api/allauth";
import { dictionary, type Locale } from "@/lib/i18n";
import { CodeForm, Errors, Field, PasswordRules, Pitch, usePasswordPolicy } from "./ui";
import { useAccountAction } from "./use-account-action";

type Step = "checking" | "email" | "code" | "password" | "done";
type ErrorBody = Parameters<typeof messagesByParam>[0];

/** Reset by code: the e-mail, the code from the e-mail, the new password, then back to where the person was.
 *  From an e-mail's link (`linkKey`), the key is checked first and the person goes straight to the new password. */
export function ResetFlow({ locale, next, linkKey }: { locale: Locale; next: string; linkKey?: string }) {
  const t = dictionary(locale).account;
  const policy = usePasswordPolicy(locale);
  const [step, setStep] = useState<Step>(linkKey ? "checking" : "email");
  const { busy, errors, setErrors, notice, setNotice, run } = useAccountAction(locale, t.unexpected);
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");

  const request = (again = false) =>
    run(async () => {
      const { error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/password/request", { ...BROWSER, body: { email } });
      if (response.status === 400) return setErrors(messagesByParam(error as ErrorBody));
      setErrors({});
      setStep("code");
      if (again) setNotice(t.resent);
    });

  const check = (value: string) =>
    run(async () => {
      // allauth checks a code with a GET carrying it in a header before the new password is asked for.
      const { error, response } = await accountsClient(locale).GET("/_allauth/{client}/v1/auth/password/reset", {
        params: { path: { client: "browser" }, header: { "X-Password-Reset-Key": value } },
      });
      if (!response.ok) {
        if (step !== "checking") return setErrors(response.status === 409 ? { "": [t.codeExpired] } : messagesByParam(error as ErrorBody));
        // A link that no longer works: say so, and offer to send a new code.
        const messages = messagesByParam(error as ErrorBody);
        setErrors({ "": [...(messages[""] ?? []), ...(messages.key ?? []), t.linkInvalid] });
        return setStep("email");
      }
      setErrors({});
      setCode(value);
      setStep("password");
    });

  const started = useRef(false);
  useEffect(() => {
    if (linkKey && !started.current) {
      started.current = true; // once, even under React's strict double effects
      check(linkKey);
    }
  });

  const save = () =>
    run(async () => {
      const { error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/password/reset", { ...BROWSER, body: { key: code, password } });
      if (response.status === 400) return setErrors(messagesByParam(error as ErrorBody));
      setErrors({});
      setStep("done");
    });

  return (
    <div className="account">
      <Pitch locale={locale} />
      <section>
        {step === "checking" && <p role="status">{t.checkingLink}</p>}
        {step === "email" && (
          <>
            <h1>{t.resetTitle}</h1>
            <p>{t.resetText}</p>
            <form className="form" onSubmit={(event) => { event.preventDefault(); request(); }}>
              <Errors messages={errors[""]} />
              <Field name="email" label={t.email} type="email" value={email} onChange={setEmail} errors={errors.email} autoComplete="email" />
              <button type="submit" disabled={busy}>{busy ? t.working : t.resetButton}</button>
            </form>
          </>
        )}
        {step === "code" && <CodeForm locale={locale} onSubmit={check} onResend={() => request(true)} errors={errors} notice={notice} busy={busy} />}
        {step === "password" && (
          <>
            <h1>{t.newPasswordTitle}</h1>
            <form className="form" onSubmit={(event) => { event.preventDefault(); save(); }}>
              <Errors messages={[...(errors[""] ?? []), ...(errors.key ?? [])]} />
              <Field name="password" label={t.password} type="password" value={password} onChange={setPassword} errors={errors.password} autoComplete="new-password" describedBy="password-rules" />
              <PasswordRules policy={policy} password={password} locale={locale} id="password-rules" />
              <button type="submit" disabled={busy}>{busy ? t.working : t.newPasswordButton}</button>
            </form>
          </>
        )}
        {step === "done" && (
          <>
            <h1>{t.updatedTitle}</h1>
            <p>{t.updatedText}</p>
            <p><Link className="button" href={next}>{t.back}</Link></p>
          </>
        )}
      </section>
    </div>
  );
}
