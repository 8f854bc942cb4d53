// The webhook receiver (src/app/api/revalidate/route.ts): Standard Webhooks signatures are verified, unsigned,
// wrongly signed and stale messages are refused, and a signed one is answered with what it revalidated.
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";

const SECRET = process.env.CMS_WEBHOOK_SECRET ?? "";
const body = JSON.stringify({ type: "page.published", timestamp: new Date().toISOString(), data: { paths: ["/fr/actualites/"] } });

function signed(secret: string, when: Date) {
  const id = `msg_e2e_${when.getTime()}`;
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(when.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, when, body),
  };
}

test("the webhook receiver accepts only signed, fresh messages", async ({ request }) => {
  expect(SECRET, "run.sh exports CMS_WEBHOOK_SECRET").toMatch(/^whsec_/);

  const unsigned = await request.post("/api/revalidate", { data: body, headers: { "content-type": "application/json" } });
  expect(unsigned.status()).toBe(401);
  expect(unsigned.headers()["content-type"]).toContain("application/problem+json");

  const otherSecret = "whsec_" + Buffer.from("another secret, 32 bytes long!!!").toString("base64");
  expect((await request.post("/api/revalidate", { data: body, headers: signed(otherSecret, new Date()) })).status()).toBe(401);

  const stale = new Date(Date.now() - 10 * 60 * 1000);
  expect((await request.post("/api/revalidate", { data: body, headers: signed(SECRET, stale) })).status()).toBe(401);

  const fresh = await request.post("/api/revalidate", { data: body, headers: signed(SECRET, new Date()) });
  expect(fresh.status(), await fresh.text()).toBe(200);
  expect(await fresh.json()).toEqual({ revalidated: true, type: "page.published", paths: ["/fr/actualites/"] });
});
