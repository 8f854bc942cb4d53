import { NextResponse, type NextRequest } from "next/server";
import { DEFAULT_LOCALE, isLocale } from "@/lib/i18n";

// The root layout renders <html lang>: it reads the locale this sets from the path's first segment.
// "/" and /account/… (no language) are redirected by route handlers (lib/language-redirect.ts says why not here).
export function middleware(request: NextRequest) {
  const first = request.nextUrl.pathname.split("/")[1];
  const headers = new Headers(request.headers);
  headers.set("x-portal-locale", isLocale(first) ? first : DEFAULT_LOCALE);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/((?!_next/|_allauth/|api/|favicon.ico|sitemap.xml|robots.txt).*)"] };
