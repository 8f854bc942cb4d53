import { expect, test } from "@playwright/test";

test("browse the seed article and interview in French, then switch to English", async ({ page }) => {
  await page.goto("/fr/");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await page.getByRole("link", { name: /Défense intelligente/ }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Défense intelligente");
  await expect(page.getByText("Les pays de l'Alliance cherchent activement à améliorer leurs capacités de défense")).toBeVisible();
  await expect(page.locator(".dateline")).toContainText("Bruxelles");
  await expect(page.locator(".lead-image img")).toHaveAttribute("srcset", /640w/);
  // Loaded, not only linked: a cached API answer once named renditions another run's MEDIA_ROOT held (e2e/run.sh).
  await expect.poll(() => page.locator(".lead-image img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(page.locator('link[rel="alternate"][hreflang="en"]')).toHaveAttribute("href", /\/en\/news\//);
  await page.getByRole("link", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Smart Defence");

  await page.goto("/fr/entretiens/");
  await page.getByRole("link", { name: /Bruno Racine/ }).click();
  await expect(page.getByText("Vous venez d'assister aujourd'hui au premier séminaire sur les tâches de sécurité fondamentales de l'OTAN.")).toBeVisible();
  await expect(page.locator(".answer .speaker").first()).toHaveText("BRUNO RACINE :");
  await page.getByRole("link", { name: "English" }).click();
  await expect(page).toHaveURL(/\/en\/interviews\//);
  await expect(page.locator(".question").first()).toBeVisible();

  const missing = await page.goto("/fr/aucune-page/");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page introuvable" })).toBeVisible();
});

test("sitemap.xml lists the seed article in both languages, each naming the other as its hreflang alternate", async ({ request }) => {
  const response = await request.get("/sitemap.xml");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/xml/);
  const entries = [...(await response.text()).matchAll(/<url>([\s\S]*?)<\/url>/g)].map((match) => match[1]);
  const entryFor = (path: string) => entries.find((entry) => new RegExp(`<loc>[^<]*${path}</loc>`).test(entry));
  const french = entryFor("/fr/actualites/defense-intelligente-les-ministres-font-le-point/");
  const english = entryFor("/en/news/smart-defence-ministers-take-stock/");
  expect(french, "the French article has its entry").toBeTruthy();
  expect(english, "the English article has its entry").toBeTruthy();
  expect(french).toMatch(/hreflang="en"\s+href="[^"]*\/en\/news\/smart-defence-ministers-take-stock\/"/);
  expect(english).toMatch(/hreflang="fr"\s+href="[^"]*\/fr\/actualites\/defense-intelligente-les-ministres-font-le-point\/"/);
  expect(french).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}/);
  // Only published pages: the interview is there, nothing of the admin or the API.
  expect(entries.some((entry) => entry.includes("/fr/entretiens/entretien-avec-bruno-racine/"))).toBe(true);
  expect(entries.some((entry) => /\/(admin|api)\//.test(entry))).toBe(false);
});
