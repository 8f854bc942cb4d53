// The account pages e-mails link to (verify-email/KEY, password/reset/key/KEY), an expired code, and the
// English account screens.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { waitForCode } from "./mail";
import { signUp, verifiedPerson } from "./people";

const SHOTS = "e2e/screenshots";
mkdirSync(SHOTS, { recursive: true });
const ARTICLE = "/fr/actualites/defense-intelligente-les-ministres-font-le-point/";

async function screen(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

/** Time travel on the server: the codes pending in this browser's session become `seconds` older. */
async function ageCodes(page: Page, seconds: number) {
  const session = (await page.context().cookies()).find((cookie) => cookie.name === "sessionid");
  if (!session) throw new Error("The browser has no session cookie.");
  execFileSync(process.env.E2E_PYTHON ?? "python3", [join(__dirname, "age_codes.py"), session.value, String(seconds)]);
}

test.describe("in French", () => {
  test.use({ locale: "fr-FR" });

  test("a code older than 30 minutes is refused with the expiry message", async ({ page }) => {
    const email = `expire-${Date.now()}@example.org`;
    await page.goto(`/fr/account/signup?next=${encodeURIComponent(ARTICLE)}`);
    await page.getByLabel("Prénom").fill("Claude");
    await page.getByLabel("Nom", { exact: true }).fill("Lefort");
    await page.getByLabel("Organisation / média").fill("Agence Exemple");
    await page.getByLabel(/Pays/).selectOption("FR");
    await page.getByLabel("Adresse e-mail").fill(email);
    await page.getByRole("textbox", { name: "Mot de passe" }).fill("Solide-Mot2passe!");
    await page.getByLabel("J'accepte les conditions d'utilisation").check();
    await page.getByRole("button", { name: "Créer un compte" }).click();
    await expect(page.getByText("Ce code expirera dans 30 minutes.", { exact: false })).toBeVisible();
    const { code } = await waitForCode(email, 0);

    await ageCodes(page, 31 * 60);
    await page.getByLabel("Code de vérification").fill(code);
    await page.getByRole("button", { name: "Vérifier" }).click();
    await expect(page.getByText("Ce code a expiré : il n'était valable que 30 minutes. Connectez-vous pour recevoir un nouveau code.")).toBeVisible();
    await expect(page.locator("main").getByRole("link", { name: "Se connecter" })).toBeVisible();
    await screen(page, "10-verify-expired-code");
  });

  // The redirect to the reader's language stays on the host the browser asked for (127.0.0.1, which Next's
  // middleware used to turn into localhost: lib/language-redirect.ts).
  test("the verification link of an e-mail (/account/verify-email/KEY) verifies the address", async ({ page }) => {
    const email = `lien-${Date.now()}@example.org`;
    await signUp(page, email);
    const { code } = await waitForCode(email, 0);
    // As allauth writes it (HEADLESS_FRONTEND_URLS): no language in the path; the reader's language is chosen.
    await page.goto(`/account/verify-email/${code}`);
    await expect(page).toHaveURL(`/fr/account/verify-email/${code}`);
    await expect(page.getByRole("heading", { name: "Vous avez créé votre compte avec succès" })).toBeVisible();
    await expect(page.getByText(`Connecté en tant que ${email}`)).toBeVisible();
    await screen(page, "11-verify-email-link");
  });

  test("the reset link of an e-mail (/account/password/reset/key/KEY) asks for the new password at once", async ({ page }) => {
    test.setTimeout(90_000);
    const email = `reinit-${Date.now()}@example.org`;
    await verifiedPerson(page, email);
    await page.waitForTimeout(11_000); // one code mail per address every 10 s (ACCOUNTS_CODE_MAIL_COOLDOWN)
    await page.goto("/fr/account/logout");
    await expect(page.getByText("Vous êtes déconnecté.")).toBeVisible();
    await page.goto(`/fr/account/password/reset?next=${encodeURIComponent(ARTICLE)}`);
    await page.getByLabel("Adresse e-mail").fill(email);
    await page.getByRole("button", { name: "Réinitialiser le mot de passe" }).click();
    await expect(page.getByLabel("Code de vérification")).toBeVisible();
    const { code } = await waitForCode(email, 1);

    await page.goto(`/fr/account/password/reset/key/${code}?next=${encodeURIComponent(ARTICLE)}`);
    await expect(page.getByRole("heading", { name: "Créer un nouveau mot de passe" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Règles du mot de passe" })).toBeVisible(); // fetched after the first paint
    await screen(page, "12-reset-password-link");
    await page.getByRole("textbox", { name: "Mot de passe" }).fill("Lien-Nouveau2026!");
    await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
    await expect(page.getByRole("heading", { name: "Votre mot de passe a été mis à jour" })).toBeVisible();
    await page.getByRole("link", { name: "Revenir à la page" }).click();
    await expect(page).toHaveURL(ARTICLE);
  });

  test("a reset link that no longer works says so and offers a new code", async ({ page }) => {
    await page.goto("/fr/account/password/reset/key/ABCD-EFGH");
    await expect(page.getByText("Ce lien n'est plus valable. Demandez un nouveau code.")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Réinitialiser le mot de passe" })).toBeVisible();
    await screen(page, "13-reset-link-invalid");
  });
});

test.describe("in English", () => {
  test.use({ locale: "en-GB" });

  test("the account screens in English", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL("/en/");
    await page.goto("/account/signup");
    await expect(page).toHaveURL("/en/account/signup");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByText("MEDIA ACCOUNT")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
    await expect(page.getByLabel("First name")).toBeVisible();
    await expect(page.getByRole("list", { name: "Password rules" })).toBeVisible();
    await page.getByRole("button", { name: "Create an account" }).click();
    await expect(page.getByText("This field is required.").first()).toBeVisible(); // the API's message, in English
    await screen(page, "30-en-signup");

    await page.getByRole("link", { name: "Log in" }).first().click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page.getByRole("heading", { name: "Reset password" })).toBeVisible();
    await expect(page.getByText("Enter the e-mail address you registered with and we will send you a code to reset your password.")).toBeVisible();
    await screen(page, "31-en-reset");

    await page.goto("/en/account/verify-email");
    await expect(page.getByRole("heading", { name: "Check your inbox and enter verification code" })).toBeVisible();
    await expect(page.getByText("This code will expire in 30 minutes.", { exact: false })).toBeVisible();
    await page.getByLabel("Verification code").fill("ABCD-EFGH");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText("This code has expired: it was valid for 30 minutes only. Log in to receive a new code.")).toBeVisible();
    await screen(page, "32-en-verify-nothing-pending");
  });
});
