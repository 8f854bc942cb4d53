// Journey 5: an editor edits a draft in Wagtail's admin, previews it on the portal (wagtail-headless-preview,
// a "draft" banner), publishes it, and the live page shows the change within seconds (the CMS's signed webhook
// revalidates the portal's cache).
import { expect, test } from "@playwright/test";

const CMS = process.env.CMS_URL ?? "http://127.0.0.1:18010";
const ARTICLE = "/fr/actualites/defense-intelligente-les-ministres-font-le-point/";

test("an editor previews a draft on the portal, then publishes it and the live page follows", async ({ page, context }) => {
  test.setTimeout(180_000);
  const title = `Défense intelligente : le point des ministres (${Date.now()})`;

  // The live page is in the portal's cache before the change.
  await page.goto(ARTICLE);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Défense intelligente");
  const sites = await (await page.request.get(`${CMS}/api/v1/sites/`)).json();
  const found = await page.request.get(`${CMS}/api/v1/pages/find/`, { params: { site: sites[0].hostname, path: ARTICLE } });
  const { id } = await found.json();

  await page.goto(`${CMS}/admin/login/`);
  await page.locator("#id_username").fill(process.env.E2E_EDITOR_EMAIL ?? "");
  await page.locator("#id_password").fill(process.env.E2E_EDITOR_PASSWORD ?? "");
  await page.locator("#id_password").press("Enter");
  await expect(page).toHaveURL(`${CMS}/admin/`);

  await page.goto(`${CMS}/admin/pages/${id}/edit/`);
  await page.locator("#id_title").fill(title);
  // Preview in a new tab: the admin stores the form, then opens the front end's preview URL in a frame.
  await page.getByRole("button", { name: /preview/i }).first().click();
  const [preview] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: "Preview in new tab" }).click()]);
  const draft = preview.frameLocator("iframe");
  await expect(draft.getByText("Brouillon : cette page n'est pas publiée.")).toBeVisible({ timeout: 30_000 });
  await expect(draft.getByRole("heading", { level: 1 })).toHaveText(title);
  await preview.close();

  // Not published yet: the live page has not changed.
  const live = await context.newPage();
  await live.goto(ARTICLE);
  await expect(live.getByRole("heading", { level: 1 })).not.toHaveText(title);

  await page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first().click();
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText(/has been published/)).toBeVisible();

  // The webhook reaches the portal (the db_worker sends it) and the next request shows the new title.
  await expect(async () => {
    await live.reload();
    await expect(live.getByRole("heading", { level: 1 })).toHaveText(title, { timeout: 1_000 });
  }).toPass({ timeout: 20_000, intervals: [1_000] });
});
