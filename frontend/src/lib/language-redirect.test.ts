// Unit tests without a browser or a server: `npm test` compiles them with tsc and runs them with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { negotiateLanguage } from "./accept-language";
import { preferredLocale, redirectInLanguage } from "./language-redirect";

function asking(acceptLanguage?: string): Request {
  return new Request("http://127.0.0.1:3000/account/login?next=%2Ffr%2F", {
    headers: acceptLanguage === undefined ? {} : { "Accept-Language": acceptLanguage },
  });
}

test("the highest q-value wins, wherever it stands in the header", () => {
  assert.equal(preferredLocale(asking("en;q=0.4, fr;q=0.9")), "fr");
  assert.equal(preferredLocale(asking("fr;q=0.4, en;q=0.9")), "en");
  assert.equal(preferredLocale(asking("fr;q=0.5,en")), "en", "no q means q=1");
});

test("languages the portal does not serve are skipped", () => {
  assert.equal(preferredLocale(asking("de, en;q=0.5")), "en");
  assert.equal(preferredLocale(asking("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7")), "en");
  assert.equal(preferredLocale(asking("de, it;q=0.5")), "fr");
});

test("a regional tag counts for its language, in any case", () => {
  assert.equal(preferredLocale(asking("en-GB")), "en");
  assert.equal(preferredLocale(asking("EN-us;Q=0.8, de")), "en");
  assert.equal(preferredLocale(asking("fr-CA, en;q=0.9")), "fr");
});

test("equal weights keep the header's order", () => {
  assert.equal(preferredLocale(asking("en;q=0.8, fr;q=0.8")), "en");
  assert.equal(preferredLocale(asking("fr, en")), "fr");
});

test("a wildcard, a missing or empty header and q=0 give the default language", () => {
  assert.equal(preferredLocale(asking()), "fr");
  assert.equal(preferredLocale(asking("")), "fr");
  assert.equal(preferredLocale(asking("*")), "fr");
  assert.equal(preferredLocale(asking("*, en;q=0.5")), "fr");
  assert.equal(preferredLocale(asking("en;q=0")), "fr");
  assert.equal(preferredLocale(asking("en;q=0.000, de")), "fr");
});

test("malformed entries are ignored, not guessed at", () => {
  assert.equal(preferredLocale(asking("en;q=2, fr;q=0.1")), "fr", "q above 1");
  assert.equal(preferredLocale(asking("en;q=high, fr;q=0.1")), "fr", "q not a number");
  assert.equal(preferredLocale(asking("en;q=0.12345, fr;q=0.1")), "fr", "more than three decimals");
  assert.equal(preferredLocale(asking("<en>, ;q=1, en;q=0.2")), "en");
  assert.equal(preferredLocale(asking(",,;;=,")), "fr");
});

test("the negotiation picks among any list of languages", () => {
  assert.equal(negotiateLanguage("de;q=0.9, en;q=0.1", ["en", "de"] as const, "en"), "de");
  assert.equal(negotiateLanguage(null, ["en", "de"] as const, "en"), "en");
});

test("the redirect carries the negotiated language and varies on the header", () => {
  const response = redirectInLanguage(asking("en;q=0.4, fr;q=0.9"), "/account/login");
  assert.equal(response.status, 307);
  assert.equal(response.headers.get("location"), "/fr/account/login?next=%2Ffr%2F");
  assert.equal(response.headers.get("vary"), "Accept-Language");
});
