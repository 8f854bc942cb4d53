import { redirectInLanguage } from "@/lib/language-redirect";

// "/" has no language: the reader's own.
export function GET(request: Request): Response {
  return redirectInLanguage(request, "/");
}
