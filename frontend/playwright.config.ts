import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright never downloads a browser (npm ci runs with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
export default defineConfig({
  testDir: "./e2e",
  timeout: 120_000,
  // Each run starts on empty caches (e2e/run.sh): a page's first render waits on the CMS's first answers, which
  // took more than the default 5 s on this 2-core machine while other suites ran.
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.PORTAL_URL ?? "http://127.0.0.1:3000",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] },
    trace: "off",
  },
});
