// Search with facets and highlighted excerpts, and the people and topic pages articles link to (issue 12).
import { expect, test } from "@playwright/test";

const ARTICLE = "/fr/actualites/defense-intelligente-les-ministres-font-le-point/";

test.describe("in French", () => {
  test.use({ locale: "fr-FR" });

  test("search from the header, narrow by a facet, the matched words highlighted", async ({ page }) => {
    await page.goto("/fr/");
    await page.getByRole("link", { name: "Rechercher" }).click();
    await expect(page).toHaveURL("/fr/search/");
    await page.getByLabel("Rechercher dans les articles, entretiens et vidéos").fill("ministres");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/fr\/search\/\?q=ministres/);
    await expect(page.getByText(/^\d+ résultats? pour « ministres »$/)).toBeVisible();
    const hit = page.locator(".listing li").filter({ has: page.getByRole("link", { name: /Défense intelligente/ }) });
    await expect(hit.locator(".excerpt mark").first()).toHaveText(/ministres/i);

    const facets = page.getByRole("complementary", { name: "Affiner" });
    await expect(facets.getByRole("heading", { name: "Type de contenu" })).toBeVisible();
    await facets.getByRole("link", { name: /^Article \(\d+\)$/ }).click();
    await expect(page).toHaveURL(/type=news.NewsArticlePage/);
    await expect(facets.locator('[aria-current="true"]')).toHaveText(/^Article \(\d+\) ✕$/);
    await expect(page.locator(".listing .meta").first()).toContainText("Article");
    await facets.getByRole("link", { name: /^Défense intelligente \(\d+\)$/ }).click();
    await expect(page).toHaveURL(/topic=\d+/);
    await expect(page.getByRole("link", { name: /Défense intelligente : les ministres/ })).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/40-search.png", fullPage: true });

    // (Spelling corrections need PostgreSQL's pg_trgm: make e2e runs on SQLite, so they are not checked here.)
    await page.goto("/fr/search/?q=zzzxqwv");
    await expect(page.getByText("Aucun résultat.")).toBeVisible();
  });

  test("from an article to a person's page and a topic's page, then in English", async ({ page }) => {
    await page.goto(ARTICLE);
    await page.getByRole("region", { name: "Personnes" }).getByRole("link", { name: "Anders Fogh Rasmussen" }).click();
    await expect(page).toHaveURL(/\/fr\/people\/\d+\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Anders Fogh Rasmussen");
    await expect(page.getByText("Secrétaire général de l'OTAN", { exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: /Défense intelligente : les ministres/ })).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/41-person.png", fullPage: true });
    // The hreflang alternates and the language switch come from the translations the API lists with the person.
    const french = page.url();
    const english = page.locator('link[rel="alternate"][hreflang="en"]');
    await expect(english).toHaveAttribute("href", /\/en\/people\/\d+\/$/);
    await expect(page.locator('link[rel="alternate"][hreflang="fr"]')).toHaveAttribute("href", new RegExp(`${new URL(french).pathname}$`));
    const englishPath = new URL((await english.getAttribute("href")) ?? "", french).pathname;
    await page.getByRole("link", { name: "English" }).click();
    await expect(page).toHaveURL(new RegExp(`${englishPath}$`));
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByText("NATO Secretary General", { exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: /Smart Defence/ })).toBeVisible();

    await page.goto(ARTICLE);
    await page.getByRole("region", { name: "Sujets" }).getByRole("link", { name: "Défense intelligente" }).click();
    await expect(page).toHaveURL(/\/fr\/topics\/\d+\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Défense intelligente");
    await expect(page.getByRole("link", { name: /Défense intelligente : les ministres/ })).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/42-topic.png", fullPage: true });
    await expect(page.locator('link[rel="alternate"][hreflang="en"]')).toHaveAttribute("href", /\/en\/topics\/\d+\/$/);
    await page.getByRole("link", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Smart Defence");
    // The English topic's id under /fr/ leads to the French version.
    await page.goto(page.url().replace("/en/", "/fr/"));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Défense intelligente");

    // The interview's speakers link to their pages too.
    await page.goto("/fr/entretiens/");
    await page.getByRole("link", { name: /Bruno Racine/ }).first().click();
    await page.getByRole("region", { name: "Intervenants" }).getByRole("link", { name: "Bruno Racine" }).click();
    await expect(page).toHaveURL(/\/fr\/people\/\d+\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bruno Racine");

    const missing = await page.goto("/fr/people/999999/");
    expect(missing?.status()).toBe(404);
  });
});
