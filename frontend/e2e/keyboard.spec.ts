// Journey 6: the account screens with the keyboard alone, and axe-core on the screens the other specs do not
// reach (every other account screen is checked where its spec shows it: accounts.spec.ts, account-links.spec.ts).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { PASSWORD, verifiedPerson } from "./people";

const ARTICLE = "/fr/actualites/defense-intelligente-les-ministres-font-le-point/";

async function noSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`)).toEqual([]);
}

/** Tab until `target` has the focus (at most 40 presses), checking that every stop shows where the focus is. */
async function tabTo(page: Page, target: Locator) {
  for (let press = 0; press < 40; press++) {
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const active = document.activeElement;
      return active && active !== document.body ? getComputedStyle(active).outlineStyle : "none";
    });
    expect(outline, "the focused element shows a focus outline").not.toBe("none");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/** Whether `element` is what the page shows at its centre (nothing drawn over it). */
async function uncovered(element: Locator): Promise<boolean> {
  return element.evaluate((target) => {
    const box = target.getBoundingClientRect();
    const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return top !== null && target.contains(top);
  });
}

test.describe("in French", () => {
  test.use({ locale: "fr-FR" });

  test("sign in with the keyboard only, from the article back to it", async ({ page }) => {
    const email = `clavier-${Date.now()}@example.org`;
    await verifiedPerson(page, email);
    await page.context().clearCookies(); // a person with an account, not logged in

    await page.goto(ARTICLE);
    await tabTo(page, page.getByRole("banner").getByRole("link", { name: "Se connecter" }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "Se connecter" })).toBeVisible();
    await noSeriousViolations(page);

    await tabTo(page, page.getByLabel("Adresse e-mail"));
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await expect(page.getByRole("textbox", { name: "Mot de passe" })).toBeFocused();
    await page.keyboard.type("wrong-password-1A!");
    await page.keyboard.press("Enter");
    await expect(page.locator(".errors").first()).toBeVisible();
    await noSeriousViolations(page);

    await page.getByRole("textbox", { name: "Mot de passe" }).focus();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type(PASSWORD);
    await tabTo(page, page.locator("main").getByRole("button", { name: "Se connecter" }));
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(ARTICLE);
    await expect(page.getByText(`Connecté en tant que ${email}`)).toBeVisible();

    // Log out with the keyboard too: the log-out screen.
    await tabTo(page, page.getByRole("banner").getByRole("link", { name: "Se déconnecter" }));
    await page.keyboard.press("Enter");
    await expect(page.getByText("Vous êtes déconnecté.")).toBeVisible();
    // The header still names the person until it has read the session again (it did in the screenshot).
    await expect(page.getByRole("banner").getByRole("link", { name: "Se connecter" })).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/14-logout.png", fullPage: true });
    await noSeriousViolations(page);
    await tabTo(page, page.getByRole("link", { name: "Continuer" }));
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(ARTICLE);
    await expect(page.getByRole("banner").getByRole("link", { name: "Se connecter" })).toBeVisible();
  });

  test("the skip link takes the keyboard past the header, and the verification screen with nothing pending", async ({ page }) => {
    await page.goto("/fr/account/verify-email");
    await expect(page.getByRole("heading", { name: "Vérifiez votre boîte de réception et entrez le code de vérification" })).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/15-verify-email-page.png", fullPage: true });
    await noSeriousViolations(page);
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Aller au contenu" })).toBeFocused();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    // The next stop is inside <main>, not the header's links.
    expect(await page.evaluate(() => document.activeElement?.closest("main") !== null)).toBe(true);
  });

  test("after a click to another page the skip link stays out of sight, and shows on keyboard focus", async ({ page }) => {
    await page.goto("/fr/");
    const skip = page.getByRole("link", { name: "Aller au contenu" });
    await page.getByRole("banner").getByRole("link", { name: "Actualités" }).click();
    await expect(page).toHaveURL(/\/fr\/actualites\/$/);
    // Next.js focuses the new page's first element, the skip link, once the client-side navigation is done:
    // waiting for that focus is what makes the next line able to fail (it covered the logo, portal.css).
    await expect(skip).toBeFocused();
    await expect(skip).not.toBeInViewport();
    const brand = page.getByRole("banner").getByRole("link", { name: "Portail média" });
    expect(await uncovered(brand), "nothing covers the logo").toBe(true);

    await page.keyboard.press("Tab");
    await expect(brand).toBeFocused();
    await page.keyboard.press("Shift+Tab");
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    expect(await uncovered(brand), "the skip link shows beside the logo, not over it").toBe(true);
  });
});
