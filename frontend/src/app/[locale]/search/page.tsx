import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { dictionary, isLocale } from "@/lib/i18n";
import { Shell } from "@/lib/shell";
import { SearchView, searchUrl, type SearchParams } from "@/lib/discovery";

type Props = {
  params: Promise<{ locale: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  if (!isLocale(locale)) notFound();
  // Result pages are not worth indexing: only the empty search page is.
  return { title: dictionary(locale).discovery.search, robots: { index: false } };
}

export default async function SearchPage({ params, searchParams }: Props) {
  const { locale } = await params;
  if (!isLocale(locale)) notFound();
  const raw = await searchParams;
  const one = (name: keyof SearchParams) => (typeof raw[name] === "string" ? (raw[name] as string) : undefined);
  const query: SearchParams = { q: one("q"), type: one("type"), topic: one("topic"), year: one("year"), page: one("page") };
  const other = locale === "fr" ? "en" : "fr";
  const alternate = `${searchUrl(other)}${query.q ? `?${new URLSearchParams({ q: query.q })}` : ""}`;
  return <Shell locale={locale} alternate={alternate}><SearchView locale={locale} params={query} /></Shell>;
}
