// People for the specs that need an account without walking the sign-up screens again (accounts.spec.ts does):
// the same allauth browser endpoints the screens call, from the page's own request context, so the session
// cookie lands in the browser.
import { expect, type Page } from "@playwright/test";
import { waitForCode } from "./mail";

export const PASSWORD = "Solide-Mot2passe!";

async function csrf(page: Page): Promise<string> {
  await page.request.get("/_allauth/browser/v1/config");
  const cookie = (await page.context().cookies()).find((item) => item.name === "csrftoken");
  if (!cookie) throw new Error("allauth set no csrftoken cookie.");
  return cookie.value;
}

/** Signs up `email` in French; the session is left waiting for the e-mail code (allauth's verify_email flow). */
export async function signUp(page: Page, email: string): Promise<void> {
  const terms = await (await page.request.get("/api/v1/accounts/terms")).json();
  const answer = await page.request.post("/_allauth/browser/v1/auth/signup", {
    headers: { "X-CSRFToken": await csrf(page), "Accept-Language": "fr" },
    data: {
      email,
      password: PASSWORD,
      first_name: "Alex",
      last_name: "Durand",
      organisation: "Télé Exemple",
      country: "BE",
      language: "fr",
      terms_accepted: true,
      terms_version: terms.version,
    },
  });
  expect(answer.status(), await answer.text()).toBe(401); // 401: signed up, the verify_email flow is pending
}

/** Signs up `email`, reads the code from the e-mail and verifies it: the browser is then logged in. */
export async function verifiedPerson(page: Page, email: string): Promise<void> {
  await signUp(page, email);
  const { code } = await waitForCode(email, 0);
  const answer = await page.request.post("/_allauth/browser/v1/auth/email/verify", {
    headers: { "X-CSRFToken": await csrf(page) },
    data: { key: code },
  });
  expect(answer.status(), await answer.text()).toBe(200);
}
