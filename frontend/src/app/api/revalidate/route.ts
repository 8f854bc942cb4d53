// The CMS's webhooks (cms/webhooks.py): Standard Webhooks messages, verified with the `standardwebhooks` library
// (signature over id, timestamp and body; timestamps older or newer than five minutes refused), then the cached
// content is revalidated: every content fetch carries CONTENT_TAG, and each changed path is revalidated too.
import { revalidatePath, revalidateTag } from "next/cache";
import { Webhook } from "standardwebhooks";
import { CONTENT_TAG } from "@/api/client";

type ContentEvent = { type?: string; data?: { paths?: unknown } };

function problem(status: number, title: string, detail: string): Response {
  return Response.json({ type: "about:blank", title, status, detail }, { status, headers: { "Content-Type": "application/problem+json" } });
}

/** The CMS signs with the decoded key of a `whsec_` secret, or with the UTF-8 bytes of any other value. */
function verifier(secret: string): Webhook {
  return secret.startsWith("whsec_") ? new Webhook(secret) : new Webhook(secret, { format: "raw" });
}

export async function POST(request: Request): Promise<Response> {
  const secret = process.env.CMS_WEBHOOK_SECRET;
  if (!secret) return problem(503, "Not configured", "CMS_WEBHOOK_SECRET is not set: webhooks cannot be verified.");
  const body = await request.text();
  const headers = {
    "webhook-id": request.headers.get("webhook-id") ?? "",
    "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
    "webhook-signature": request.headers.get("webhook-signature") ?? "",
  };
  let event: ContentEvent;
  try {
    event = verifier(secret).verify(body, headers) as ContentEvent;
  } catch (error) {
    return problem(401, "Unverified webhook", error instanceof Error ? error.message : "The signature could not be verified.");
  }
  const paths = Array.isArray(event.data?.paths) ? event.data.paths.filter((path): path is string => typeof path === "string" && path.startsWith("/")) : [];
  revalidateTag(CONTENT_TAG);
  for (const path of paths) revalidatePath(path);
  return Response.json({ revalidated: true, type: event.type ?? null, paths });
}
