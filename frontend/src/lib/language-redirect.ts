import { DEFAULT_LOCALE, type Locale } from "@/lib/i18n";

/** The reader's language from Accept-Language: English when it comes first, else the default (French). */
export function preferredLocale(request: Request): Locale {
  return request.headers.get("accept-language")?.trim().toLowerCase().startsWith("en") ? "en" : DEFAULT_LOCALE;
}

/**
 * A redirect with a relative Location, so the browser stays on the host and scheme it asked for.
 * Not from middleware: Next.js (15.5, server/web/adapter.js) re-parses a middleware redirect's Location with
 * NextURL, which rewrites every loopback host (127.0.0.1, [::1]) to "localhost" and refuses a relative one, so
 * a reader on http://127.0.0.1:3000 was sent to http://localhost:3000 (another origin: no session cookie).
 * A route handler's Response goes out as it is. Nor from the Host or X-Forwarded-Host header: a relative
 * Location needs neither, and a forwarded host is whatever the client wrote.
 */
export function redirectInLanguage(request: Request, path: string): Response {
  const url = new URL(request.url);
  return new Response(null, {
    status: 307,
    headers: { Location: `/${preferredLocale(request)}${path}${url.search}`, Vary: "Accept-Language", "Cache-Control": "private, no-store" },
  });
}
