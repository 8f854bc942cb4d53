"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { accountsClient, announceSessionChange, BROWSER, ensureCsrf, messagesByParam, pendingFlow } from "@/api/allauth";
import { dictionary, type Locale } from "@/lib/i18n";
import { CodeForm, Errors, Field, Pitch } from "./ui";
import { useAccountAction } from "./use-account-action";

type ErrorBody = Parameters<typeof messagesByParam>[0];

export function LoginFlow({ locale, next }: { locale: Locale; next: string }) {
  const t = dictionary(locale).account;
  const router = useRouter();
  const { busy, errors, setErrors, run } = useAccountAction(locale, t.unexpected);
  const [verify, setVerify] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const query = `?next=${encodeURIComponent(next)}`;

  const login = () =>
    run(async () => {
      const { data, error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/login", { ...BROWSER, body: { email, password } });
      if (response.status === 400) return setErrors(messagesByParam(error as ErrorBody));
      setErrors({});
      if (data) router.push(next);
      else if (pendingFlow(error) === "verify_email") setVerify(true);
      else setErrors({ "": [t.unexpected] });
    });

  const confirm = (code: string) =>
    run(async () => {
      const { data, error, response } = await accountsClient(locale).POST("/_allauth/{client}/v1/auth/email/verify", { ...BROWSER, body: { key: code } });
      if (!data) return setErrors(response.status === 400 ? messagesByParam(error as ErrorBody) : { "": [t.unexpected] });
      router.push(next);
    });

  return (
    <div className="account">
      <Pitch locale={locale} />
      <section>
        {verify ? (
          <CodeForm locale={locale} onSubmit={confirm} errors={errors} busy={busy} />
        ) : (
          <>
            <h1>{t.loginTitle}</h1>
            <form className="form" onSubmit={(event) => { event.preventDefault(); login(); }}>
              <Errors messages={errors[""]} />
              <Field name="email" label={t.email} type="email" value={email} onChange={setEmail} errors={errors.email} autoComplete="email" />
              <Field name="password" label={t.password} type="password" value={password} onChange={setPassword} errors={errors.password} autoComplete="current-password" />
              <button type="submit" disabled={busy}>{busy ? t.working : t.loginButton}</button>
            </form>
            <p><Link href={`/${locale}/account/password/reset${query}`}>{t.forgot}</Link></p>
            <p>{t.noAccount} <Link href={`/${locale}/account/signup${query}`}>{t.signupTitle}</Link></p>
          </>
        )}
      </section>
    </div>
  );
}

export function Logout({ locale, next }: { locale: Locale; next: string }) {
  const t = dictionary(locale).account;
  const [done, setDone] = useState(false);
  useEffect(() => {
    ensureCsrf(locale)
      .then(() => accountsClient(locale).DELETE("/_allauth/{client}/v1/auth/session", BROWSER))
      .finally(() => {
        setDone(true);
        announceSessionChange();
      });
  }, [locale]);
  return (
    <section className="narrow">
      <h1>{t.logoutButton}</h1>
      {done && <p role="status">{t.loggedOut}</p>}
      <p><Link className="button" href={next}>{t.continue}</Link></p>
    </section>
  );
}
