// Relative imports: the unit tests (npm test) compile this module with plain tsc, which knows no "@/" alias.
import { negotiateLanguage } from "./accept-language";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "./i18n";

/** The reader's language from Accept-Language, by q-value (accept-language.ts); the default (French) otherwise. */
export function preferredLocale(request: Request): Locale {
  return negotiateLanguage(request.headers.get("accept-language"), LOCALES, DEFAULT_LOCALE);
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
