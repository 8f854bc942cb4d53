import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright never downloads a browser (npm ci runs with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
export default defineConfig({
  testDir: "./e2e",
  timeout: 120_000,
  workers: 1,
  // A search or a first render of a route on a 2-core CI machine busy with the CMS's own workers can take
  // longer than Playwright's 5 s default: a slow answer is not what these tests are about.
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.PORTAL_URL ?? "http://127.0.0.1:3000",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] },
    trace: "off",
  },
});
