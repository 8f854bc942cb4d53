import { mkdirSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { waitForCode } from "./mail";

const SHOTS = "e2e/screenshots";
mkdirSync(SHOTS, { recursive: true });
const ARTICLE = "/fr/actualites/defense-intelligente-les-ministres-font-le-point/";
const PASSWORD = "Solide-Mot2passe!";
const email = `journaliste-${Date.now()}@example.org`;

async function screen(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

test.describe.configure({ mode: "serial" });

test("sign up in French: a wrong code, a resend, the right code, the success screen and the newsletter", async ({ page }) => {
  await page.goto(`/fr/account/signup?next=${encodeURIComponent(ARTICLE)}`);
  await expect(page.getByText("COMPTE MULTIMÉDIA")).toBeVisible();
  await expect(page.getByText("Le seul endroit pour accéder au contenu vidéo de qualité broadcast de l'OTAN")).toBeVisible();
  await expect(page.getByText("Accédez aux ressources médiatiques officielles de l'OTAN. Un contenu de qualité professionnelle, diffusé sur les dernières actualités. La référence pour les professionnels des médias.")).toBeVisible();
  await expect(page.getByText("Registre", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Créer un compte" })).toBeVisible();
  await expect(page.getByText("Le mot de passe doit comporter au moins 12 caractères, sans espaces, inclure des lettres majuscules/minuscules, des chiffres et des symboles.")).toBeVisible();
  await screen(page, "01-signup");

  // The keyboard reaches the first field from the skip link.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Aller au contenu" })).toBeFocused();

  // Sent empty: the API's messages, in French.
  await page.getByRole("button", { name: "Créer un compte" }).click();
  await expect(page.locator(".errors").first()).toBeVisible();
  await expect(page.getByText("Champ requis.").first()).toBeVisible();

  await page.getByLabel("Prénom").fill("Camille");
  await page.getByLabel("Nom", { exact: true }).fill("Martin");
  await page.getByLabel("Organisation / média").fill("Radio Exemple");
  await page.getByLabel(/Pays/).selectOption("FR");
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByRole("textbox", { name: "Mot de passe" }).fill(PASSWORD);
  await page.getByLabel("J'accepte les conditions d'utilisation").check();
  await page.getByRole("button", { name: "Créer un compte" }).click();

  await expect(page.getByRole("heading", { name: "Vérifiez votre boîte de réception et entrez le code de vérification" })).toBeVisible();
  await expect(page.getByText("Nous avons envoyé un code de vérification à votre adresse e-mail. Entrez le code pour vérifier votre compte. Ce code expirera dans 30 minutes.")).toBeVisible();
  await expect(page.getByText("Vous n'avez pas reçu de code ?")).toBeVisible();
  await screen(page, "02-verify-code");
  const first = await waitForCode(email, 0);

  await page.getByLabel("Code de vérification").fill("WRONG1");
  await page.getByRole("button", { name: "Vérifier" }).click();
  await expect(page.locator(".errors").first()).toBeVisible();
  await screen(page, "03-verify-wrong-code");

  // The CMS sends one code mail per address every 10 s (ACCOUNTS_CODE_MAIL_COOLDOWN).
  await page.waitForTimeout(11_000);
  await page.getByRole("button", { name: "Envoyer un nouveau code" }).click();
  await expect(page.getByText("Un nouveau code vous a été envoyé.")).toBeVisible();
  const second = await waitForCode(email, first.count);

  await page.getByLabel("Code de vérification").fill(second.code);
  await page.getByRole("button", { name: "Vérifier" }).click();
  await expect(page.getByRole("heading", { name: "Vous avez créé votre compte avec succès" })).toBeVisible();
  await expect(page.getByText("Désormais, vous pouvez télécharger des versions complètes ou partielles de nos vidéos depuis notre site Web.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Abonnez-vous à notre newsletter" })).toBeVisible();
  await expect(page.getByText("Si vous souhaitez également vous abonner à la newsletter et recevoir nos dernières mises à jour, cliquez sur le bouton ci-dessous.")).toBeVisible();
  // The code logged the person in: the header reads the session again after the screen has changed.
  await expect(page.getByRole("banner").getByText(`Connecté en tant que ${email}`)).toBeVisible();
  await screen(page, "04-signup-success");
  await page.getByRole("button", { name: "S'abonner" }).click();
  await expect(page.getByText("Vous êtes abonné à la newsletter.")).toBeVisible();

  await page.getByRole("link", { name: "Continuer" }).click();
  await expect(page).toHaveURL(ARTICLE);
  await page.goto(`/fr/account/logout?next=${encodeURIComponent(ARTICLE)}`);
  await expect(page.getByText("Vous êtes déconnecté.")).toBeVisible();
});

test("reset the password by code: a password breaking the rules, then a good one, back to the article", async ({ page }) => {
  await page.goto(ARTICLE);
  await page.getByRole("link", { name: "Se connecter" }).click();
  // A client-side navigation: the click returns before the login screen is there.
  await expect(page.getByRole("heading", { name: "Se connecter" })).toBeVisible();
  await expect(page.getByLabel("Adresse e-mail")).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Mot de passe" })).toBeVisible();
  await screen(page, "05-login");
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await expect(page.getByRole("heading", { name: "Réinitialiser le mot de passe" })).toBeVisible();
  await expect(page.getByText("Entrez l'adresse e-mail avec laquelle vous vous êtes inscrit et nous vous enverrons un code pour réinitialiser votre mot de passe.")).toBeVisible();
  await expect(page.getByLabel("Adresse e-mail")).toBeVisible();
  await screen(page, "06-reset-password");
  const before = await waitForCode(email, 0).then((found) => found.count);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByRole("button", { name: "Réinitialiser le mot de passe" }).click();
  await expect(page.getByRole("heading", { name: "Vérifiez votre boîte de réception et entrez le code de vérification" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Envoyer un nouveau code" })).toBeVisible();
  await screen(page, "07-reset-code");
  const { code } = await waitForCode(email, before);
  await page.getByLabel("Code de vérification").fill(code);
  await page.getByRole("button", { name: "Vérifier" }).click();

  await expect(page.getByRole("heading", { name: "Créer un nouveau mot de passe" })).toBeVisible();
  await expect(page.getByText("Le mot de passe doit comporter au moins 12 caractères, sans espaces, inclure des lettres majuscules/minuscules, des chiffres et des symboles.")).toBeVisible();
  await page.getByRole("textbox", { name: "Mot de passe" }).fill("court mdp");
  await expect(page.locator('[data-rule="MinimumLengthValidator"]')).toHaveClass("unmet-shown");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  const errors = page.locator("#password-errors");
  await expect(errors).toContainText("12 caractères");
  await expect(errors).toContainText("espace");
  await screen(page, "08-new-password-errors");

  await page.getByRole("textbox", { name: "Mot de passe" }).fill("Nouveau-Passe2026!");
  await expect(page.locator('[data-rule="CharacterClassesValidator"]')).toHaveClass("met");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByRole("heading", { name: "Votre mot de passe a été mis à jour" })).toBeVisible();
  await expect(page.getByText("Cliquez sur le bouton pour revenir à la page sur laquelle vous étiez et connectez-vous avec votre nouveau mot de passe.")).toBeVisible();
  await screen(page, "09-password-updated");
  await page.getByRole("link", { name: "Revenir à la page" }).click();
  await expect(page).toHaveURL(ARTICLE);

  await page.getByRole("link", { name: "Se connecter" }).click();
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByRole("textbox", { name: "Mot de passe" }).fill("Nouveau-Passe2026!");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(ARTICLE);
  await expect(page.getByText(`Connecté en tant que ${email}`)).toBeVisible();
});
