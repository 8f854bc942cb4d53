import type { Metadata } from "next";
import allauthSpec from "../../../../../openapi/allauth.json";
import { api } from "@/api/client";
import type { SignupInput } from "@/api/allauth";
import { accountContext, type AccountPageProps } from "@/account/page-frame";
import { SignupFlow } from "@/account/signup";
import { dictionary } from "@/lib/i18n";
import { Shell } from "@/lib/shell";

export const metadata: Metadata = { robots: { index: false } };

// The countries the API accepts: the enumeration in allauth's sign-up schema, checked in with the types.
const countries = allauthSpec.components.schemas.BaseSignup.properties.country.enum as SignupInput["country"][];

export default async function SignupPage(props: AccountPageProps) {
  const { locale, next, alternate } = await accountContext(props, "signup");
  const { data: terms } = await api.GET("/api/v1/accounts/terms", { headers: { "Accept-Language": locale } });
  return (
    <Shell locale={locale} alternate={alternate}>
      <title>{dictionary(locale).account.signupTitle}</title>
      <SignupFlow locale={locale} countries={countries} termsVersion={terms?.version ?? ""} next={next} />
    </Shell>
  );
}
