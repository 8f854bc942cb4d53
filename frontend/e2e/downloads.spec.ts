// Journey 4: downloads on the video page, for anonymous, unverified and verified people; the files' durations
// are read back with ffprobe (or ffmpeg).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Download, type Page } from "@playwright/test";
import { durationSeconds } from "./media";
import { signUp, verifiedPerson } from "./people";

const VIDEO = "/fr/videos/conference-de-presse-du-secretaire-general/"; // 20 s, long-GOP H.264, keyframes every 2 s
const SHOTS = "e2e/screenshots";
const FILES = "test-results/downloads";
mkdirSync(SHOTS, { recursive: true });
mkdirSync(FILES, { recursive: true });

async function save(page: Page, name: string): Promise<string> {
  const link = page.locator(".download-ready a");
  const [download]: [Download, void] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const path = join(FILES, `${name}-${download.suggestedFilename()}`);
  await download.saveAs(path);
  return path;
}

test("anonymous people see why they cannot download and where to sign up", async ({ page }) => {
  await page.goto(VIDEO);
  const offer = page.locator(".download-offer");
  await expect(offer.getByText("Connectez-vous pour télécharger les vidéos.")).toBeVisible();
  await expect(offer.getByRole("link", { name: "Créer un compte" })).toHaveAttribute("href", `/fr/account/signup?next=${encodeURIComponent(VIDEO)}`);
  await expect(offer.getByRole("button", { name: "Télécharger la vidéo complète" })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/20-video-anonymous.png`, fullPage: true });
});

test("a person who has not verified the address is sent to the code screen", async ({ page }) => {
  const email = `non-verifie-${Date.now()}@example.org`;
  await signUp(page, email);
  await page.goto(VIDEO);
  const offer = page.locator(".download-offer");
  await expect(offer.getByText("Votre adresse e-mail n'est pas encore vérifiée : entrez le code que nous vous avons envoyé.")).toBeVisible();
  await offer.getByRole("link", { name: "Vérifier mon adresse e-mail" }).click();
  await expect(page).toHaveURL(`/fr/account/verify-email?next=${encodeURIComponent(VIDEO)}`);
  await expect(page.getByRole("heading", { name: "Vérifiez votre boîte de réception et entrez le code de vérification" })).toBeVisible();
});

test("a verified person downloads the full master, two shots, and a clip set on the player", async ({ page }) => {
  test.setTimeout(180_000);
  const email = `verifie-${Date.now()}@example.org`;
  await verifiedPerson(page, email);
  await page.goto(VIDEO);
  const offer = page.locator(".download-offer");
  await expect(page.getByRole("banner").getByText(`Connecté en tant que ${email}`)).toBeVisible(); // for the screenshots

  await offer.getByRole("button", { name: "Télécharger la vidéo complète" }).click();
  await expect(offer.locator(".download-ready")).toContainText("Votre fichier est prêt.");
  await page.screenshot({ path: `${SHOTS}/21-video-full-ready.png`, fullPage: true });
  expect(durationSeconds(await save(page, "full"))).toBeCloseTo(20, 0);

  // Shots 2 and 3: 00:00:04 to 00:00:16, on keyframes, so the fast cut is exact.
  await offer.getByLabel(/Plan 2/).check();
  await offer.getByLabel(/Plan 3/).check();
  await offer.getByRole("button", { name: "Télécharger les plans choisis" }).click();
  await expect(offer.locator(".job progress")).toBeVisible(); // the job, polled until ready
  await expect(offer.getByRole("status").first()).toContainText(/Extrait en attente de découpage|Découpage de l'extrait/);
  await page.screenshot({ path: `${SHOTS}/22-video-clip-progress.png`, fullPage: true });
  await expect(offer.locator(".download-ready")).toContainText("Extrait de 00:00:04.000 à 00:00:16.000.", { timeout: 60_000 });
  const twoShots = durationSeconds(await save(page, "shots"));
  expect(Math.abs(twoShots - 12)).toBeLessThan(0.2);

  // In and out points: the out point taken from the proxy player's position. Seeking the proxy in e2e left
  // currentTime at 0 (not yet known why; media served without Range?): play it a moment, pause, compare where it stopped.
  const position = await page.locator("video.player").evaluate(async (player: HTMLVideoElement) => {
    player.muted = true;
    player.playbackRate = 4;
    await player.play();
    await new Promise<void>((resolve) => {
      const check = () => (player.currentTime >= 1 ? resolve() : requestAnimationFrame(check));
      check();
    });
    player.pause();
    return player.currentTime.toFixed(3);
  });
  expect(Number(position)).toBeGreaterThanOrEqual(1);
  await offer.getByRole("button", { name: "Sortie : position du lecteur" }).click();
  await expect(offer.getByLabel("Sortie", { exact: true })).toHaveValue(position);
  await offer.getByLabel("Sortie", { exact: true }).fill("00:00:08.000"); // on a keyframe, so the duration is exact
  await offer.getByLabel("Entrée", { exact: true }).fill("00:00:04.000");
  await offer.getByRole("button", { name: "Télécharger l'extrait" }).click();
  await expect(offer.locator(".download-ready")).toContainText("Extrait de 00:00:04.000 à 00:00:08.000.", { timeout: 60_000 });
  expect(Math.abs(durationSeconds(await save(page, "clip")) - 4)).toBeLessThan(0.2);

  // A bad range: the API's own message, in French.
  await offer.getByLabel("Entrée", { exact: true }).fill("00:00:09.000");
  await offer.getByRole("button", { name: "Télécharger l'extrait" }).click();
  await expect(offer.getByRole("alert")).toBeVisible();
});
