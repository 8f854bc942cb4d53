// allauth headless's *browser* client, used from the account screens (client components), typed from
// openapi/allauth.json. As in allauth's React SPA example: the session cookie and the CSRF token travel
// on this front end's origin (next.config.ts proxies /_allauth/ and /api/v1/ to the CMS).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./allauth-schema";
import type { paths as apiPaths, components as apiComponents } from "./schema";

export type AllauthError = components["schemas"]["ErrorResponse"];
export type Flow = components["schemas"]["Flow"];
export type SignupInput = components["schemas"]["BaseSignup"] & { password: string };
export type Problem = apiComponents["schemas"]["Problem"];

function csrfToken(): string {
  const match = document.cookie.split("; ").find((cookie) => cookie.startsWith("csrftoken="));
  return match ? decodeURIComponent(match.slice("csrftoken=".length)) : "";
}

/** Every request says which language the person reads, so the API's messages come back in it. */
function browserMiddleware(locale: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("Accept-Language", locale);
      if (request.method !== "GET") request.headers.set("X-CSRFToken", csrfToken());
      return request;
    },
  };
}

export function accountsClient(locale: string) {
  const client = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
  client.use(browserMiddleware(locale));
  return client;
}

export function memberClient(locale: string) {
  const client = createClient<apiPaths>({ baseUrl: window.location.origin, credentials: "same-origin" });
  client.use(browserMiddleware(locale));
  return client;
}

/** The header's account links read the session when the path changes; a screen that logs the person in or out
 *  without leaving its path (an e-mail's verification link, the sign-up code, log-out) says so with this. */
export const SESSION_CHANGED = "portal:session-changed";
export function announceSessionChange(): void {
  window.dispatchEvent(new Event(SESSION_CHANGED));
}

export const BROWSER = { params: { path: { client: "browser" as const } } };

/** The CSRF cookie is set by allauth's first answer: fetch the configuration once before any POST. */
export async function ensureCsrf(locale: string): Promise<void> {
  if (!csrfToken()) await accountsClient(locale).GET("/_allauth/{client}/v1/config", BROWSER);
}

/** The messages of an allauth 400, by parameter ("" for those about the whole form). */
export function messagesByParam(error: AllauthError | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const item of error?.errors ?? []) {
    const key = item.param ?? "";
    (result[key] ??= []).push(item.message);
  }
  return result;
}

/** The pending flow of a 401 answer (verify_email, password_reset_by_code…), if any. */
export function pendingFlow(body: unknown): Flow["id"] | null {
  const flows = (body as { data?: { flows?: Flow[] } } | undefined)?.data?.flows ?? [];
  return flows.find((flow) => flow.is_pending)?.id ?? null;
}
