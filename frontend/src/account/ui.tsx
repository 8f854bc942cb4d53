"use client";

import { useEffect, useState } from "react";
import { memberClient } from "@/api/allauth";
import type { components } from "@/api/schema";
import { dictionary, type Locale } from "@/lib/i18n";

type Policy = components["schemas"]["PasswordPolicy"];

export function Errors({ messages, id }: { messages: string[] | undefined; id?: string }) {
  if (!messages?.length) return null;
  return (
    <div role="alert" id={id}>
      <ul className="errors">
        {messages.map((message) => <li key={message}>{message}</li>)}
      </ul>
    </div>
  );
}

export function Field({
  name, label, type = "text", errors, autoComplete, value, onChange, required = true, describedBy, inputMode,
}: {
  name: string;
  label: string;
  type?: string;
  errors?: string[];
  autoComplete?: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  describedBy?: string;
  inputMode?: "numeric" | "text" | "email";
}) {
  const errorId = `${name}-errors`;
  const described = [errors?.length ? errorId : null, describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        value={value}
        required={required}
        autoComplete={autoComplete}
        inputMode={inputMode}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={described}
        onChange={(event) => onChange(event.target.value)}
      />
      <Errors messages={errors} id={errorId} />
    </div>
  );
}

/** Whether each rule the browser can check holds; the others (similarity, common passwords) the API checks. */
function ruleHolds(rule: string, password: string, policy: Policy): boolean | null {
  switch (rule) {
    case "MinimumLengthValidator":
      return password.length >= policy.min_length;
    case "MaximumLengthValidator":
      return policy.max_length === null || password.length <= policy.max_length;
    case "NoWhitespaceValidator":
      return password.length > 0 && !/\s/u.test(password);
    case "CharacterClassesValidator":
      return /\p{Lu}/u.test(password) && /\p{Ll}/u.test(password) && /\p{Nd}/u.test(password) && /[\p{P}\p{S}]/u.test(password);
    default:
      return null;
  }
}

export function usePasswordPolicy(locale: Locale): Policy | null {
  const [policy, setPolicy] = useState<Policy | null>(null);
  useEffect(() => {
    memberClient(locale).GET("/api/v1/accounts/password-policy").then(({ data }) => setPolicy(data ?? null));
  }, [locale]);
  return policy;
}

/** The password rules from the API, each marked as met or not while the person types. */
export function PasswordRules({ policy, password, locale, id }: { policy: Policy | null; password: string; locale: Locale; id: string }) {
  const t = dictionary(locale).account;
  if (!policy) return null;
  return (
    <div id={id}>
      <p>{policy.summary}</p>
      <ul className="rules" aria-label={t.passwordRules} aria-live="polite">
        {policy.rules.map((rule) => {
          const holds = ruleHolds(rule.rule, password, policy);
          return (
            <li key={rule.rule} className={password && holds ? "met" : password && holds === false ? "unmet-shown" : undefined} data-rule={rule.rule}>
              {rule.help_text}
              {holds !== null && password && <span className="visually-hidden"> ({holds ? t.ruleMet : t.ruleUnmet})</span>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function Pitch({ locale }: { locale: Locale }) {
  const t = dictionary(locale).account;
  return (
    <section className="pitch" aria-labelledby="pitch-heading">
      <p className="kicker">{t.kicker}</p>
      <h2 id="pitch-heading">{t.pitchTitle}</h2>
      <p>{t.pitch}</p>
    </section>
  );
}

/** The code screen shared by the sign-up and the password reset. */
export function CodeForm({
  locale, onSubmit, onResend, errors, notice, busy,
}: {
  locale: Locale;
  onSubmit: (code: string) => void;
  onResend?: () => void;
  errors: Record<string, string[]>;
  notice?: string;
  busy: boolean;
}) {
  const t = dictionary(locale).account;
  const [code, setCode] = useState("");
  return (
    <>
      <h1>{t.verifyTitle}</h1>
      <p>{t.verifyText}</p>
      <form className="form" onSubmit={(event) => { event.preventDefault(); onSubmit(code.trim()); }}>
        <Errors messages={errors[""]} />
        <Field name="code" label={t.code} value={code} onChange={setCode} errors={errors.key ?? errors.code} autoComplete="one-time-code" />
        <button type="submit" disabled={busy}>{busy ? t.working : t.verifyButton}</button>
      </form>
      {onResend && (
        <p>
          {t.noCode}{" "}
          <button type="button" className="link" onClick={onResend} disabled={busy}>{t.resend}</button>
        </p>
      )}
      {notice && <p className="notice" role="status">{notice}</p>}
    </>
  );
}
