import { redirectInLanguage } from "@/lib/language-redirect";

// allauth's e-mails link to /account/… (HEADLESS_FRONTEND_URLS has no language): the reader's language.
export function GET(request: Request): Response {
  return redirectInLanguage(request, new URL(request.url).pathname);
}
