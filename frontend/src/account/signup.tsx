"use client";

import Link from "next/link";
import { useState } from "react";
import { accountsClient, announceSessionChange, BROWSER, memberClient, messagesByParam, pendingFlow, type SignupInput } from "@/api/allauth";
import { dictionary, type Locale } from "@/lib/i18n";
import { CodeForm, Errors, Field, PasswordRules, Pitch, usePasswordPolicy } from "./ui";
import { useAccountAction } from "./use-account-action";

type Step = "form" | "code" | "done";

export function SignupFlow({ locale, countries, termsVersion, next }: { locale: Locale; countries: SignupInput["country"][]; termsVersion: string; next: string }) {
  const t = dictionary(locale).account;
  const policy = usePasswordPolicy(locale);
  const [step, setStep] = useState<Step>("form");
  const { busy, errors, setErrors, notice, setNotice, run } = useAccountAction(locale, t.unexpected);
  const [subscribed, setSubscribed] = useState(false);
  const [form, setForm] = useState({ email: "", password: "", first_name: "", last_name: "", organisation: "", country: "" });
  const [terms, setTerms] = useState(false);
  const set = (name: keyof typeof form) => (value: string) => setForm((current) => ({ ...current, [name]: value }));
  const names = new Intl.DisplayNames([locale], { type: "region" });
  const sortedCountries = [...countries].sort((a, b) => (names.of(a) ?? a).localeCompare(names.of(b) ?? b, locale));

  const signup = () =>
    run(async () => {
      const body: SignupInput = {
        ...form,
        country: form.country as SignupInput["country"],
        language: locale,
        // The document declares only `true` and this deployment's version; the server judges what is sent and
        // answers an unticked box or an older version with its own message, shown beside the box.
        terms_accepted: terms as SignupInput["terms_accepted"],
        terms_version: termsVersion as SignupInput["terms_version"],
        return_url: next,
      };
      const { data, error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/signup", { ...BROWSER, body });
      if (response.status === 400) return setErrors(messagesByParam(error as Parameters<typeof messagesByParam>[0]));
      setErrors({});
      if (data || pendingFlow(error) === "verify_email") setStep(data ? "done" : "code");
      else setErrors({ "": [t.unexpected] });
    });

  const verify = (code: string) =>
    run(async () => {
      const { data, error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/email/verify", { ...BROWSER, body: { key: code } });
      if (response.status === 400) return setErrors(messagesByParam(error as Parameters<typeof messagesByParam>[0]));
      // 409: nothing is pending in this session any more; a code is valid for 30 minutes.
      if (response.status === 409) return setErrors({ "": [t.codeExpired] });
      setErrors({});
      if (data) announceSessionChange();
      if (data || response.status === 401) setStep("done");
    });

  const resend = () =>
    run(async () => {
      const { error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/email/verify/resend", BROWSER);
      if (response.ok) {
        setErrors({});
        setNotice(t.resent);
      } else setErrors(messagesByParam(error as Parameters<typeof messagesByParam>[0]));
    });

  const subscribe = () =>
    run(async () => {
      const { data, error } = await memberClient(locale).PUT("/api/v1/me/newsletter", { body: { subscribed: true, source: "welcome" } });
      if (data?.subscribed) setSubscribed(true);
      else setErrors({ "": [error?.detail ?? t.unexpected] });
    });

  return (
    <div className="account">
      <Pitch locale={locale} />
      <section>
        {step === "form" && (
          <>
            <p className="kicker">{t.register}</p>
            <h1>{t.signupTitle}</h1>
            <form className="form" noValidate onSubmit={(event) => { event.preventDefault(); signup(); }}>
              <Errors messages={errors[""]} />
              <Field name="first_name" label={t.firstName} value={form.first_name} onChange={set("first_name")} errors={errors.first_name} autoComplete="given-name" />
              <Field name="last_name" label={t.lastName} value={form.last_name} onChange={set("last_name")} errors={errors.last_name} autoComplete="family-name" />
              <Field name="organisation" label={t.organisation} value={form.organisation} onChange={set("organisation")} errors={errors.organisation} autoComplete="organization" />
              <div className="field">
                <label htmlFor="country">{t.country}</label>
                <select id="country" name="country" required value={form.country} onChange={(event) => set("country")(event.target.value)} aria-invalid={errors.country ? true : undefined} aria-describedby={errors.country ? "country-errors" : undefined}>
                  <option value="" />
                  {sortedCountries.map((code) => <option key={code} value={code}>{names.of(code) ?? code}</option>)}
                </select>
                <Errors messages={errors.country} id="country-errors" />
              </div>
              <Field name="email" label={t.email} type="email" value={form.email} onChange={set("email")} errors={errors.email} autoComplete="email" inputMode="email" />
              <Field name="password" label={t.password} type="password" value={form.password} onChange={set("password")} errors={errors.password} autoComplete="new-password" describedBy="password-rules" />
              <PasswordRules policy={policy} password={form.password} locale={locale} id="password-rules" />
              <div className="check">
                <input id="terms" type="checkbox" checked={terms} onChange={(event) => setTerms(event.target.checked)} aria-describedby={errors.terms_accepted || errors.terms_version ? "terms-errors" : undefined} />
                <label htmlFor="terms">{t.terms}</label>
              </div>
              <Errors messages={[...(errors.terms_accepted ?? []), ...(errors.terms_version ?? [])]} id="terms-errors" />
              <button type="submit" disabled={busy}>{busy ? t.working : t.signupButton}</button>
            </form>
            <p>{t.haveAccount} <Link href={`/${locale}/account/login?next=${encodeURIComponent(next)}`}>{t.loginTitle}</Link></p>
          </>
        )}
        {step === "code" && (
          <>
            <CodeForm locale={locale} onSubmit={verify} onResend={resend} errors={errors} notice={notice} busy={busy} />
            {errors[""]?.includes(t.codeExpired) && <p><Link href={`/${locale}/account/login?next=${encodeURIComponent(next)}`}>{t.loginTitle}</Link></p>}
          </>
        )}
        {step === "done" && (
          <>
            <h1>{t.successTitle}</h1>
            <p>{t.successText}</p>
            <h2>{t.newsletterTitle}</h2>
            <p>{t.newsletterText}</p>
            <Errors messages={errors[""]} />
            {subscribed ? (
              <p className="notice" role="status">{t.subscribed}</p>
            ) : (
              <button type="button" onClick={subscribe} disabled={busy}>{t.subscribe}</button>
            )}
            <p><Link className="button" href={next}>{t.continue}</Link></p>
          </>
        )}
      </section>
    </div>
  );
}
