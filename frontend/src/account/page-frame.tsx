import { notFound } from "next/navigation";
import { isLocale, type Locale } from "@/lib/i18n";
import { safeNext } from "./next";

export type AccountPageProps = {
  params: Promise<{ locale: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** The locale of an account page, the page to come back to, and the same screen in the other language. */
export async function accountContext({ params, searchParams }: AccountPageProps, screen: string): Promise<{ locale: Locale; next: string; alternate: string }> {
  const { locale } = await params;
  if (!isLocale(locale)) notFound();
  const raw = (await searchParams).next;
  const next = safeNext(typeof raw === "string" ? raw : undefined, locale);
  const other = locale === "fr" ? "en" : "fr";
  return { locale, next, alternate: `/${other}/account/${screen}?next=${encodeURIComponent(next)}` };
}
