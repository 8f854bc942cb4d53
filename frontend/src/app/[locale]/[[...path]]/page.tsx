import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findPage, type AnyPage } from "@/api/client";
import { isLocale, type Locale } from "@/lib/i18n";
import { Shell } from "@/lib/shell";
import { PageView } from "@/lib/page-view";

type Props = {
  params: Promise<{ locale: string; path?: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

async function load(params: Props["params"]): Promise<{ locale: Locale; page: AnyPage }> {
  const { locale, path } = await params;
  if (!isLocale(locale)) notFound();
  const page = await findPage(`/${[locale, ...(path ?? [])].map(encodeURIComponent).join("/")}/`);
  if (!page || page.locale !== locale) notFound();
  return { locale, page };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { page } = await load(params);
  const languages: Record<string, string> = {};
  for (const translation of page.translations) if (translation.url) languages[translation.locale] = translation.url;
  if (page.url) languages[page.locale] = page.url;
  return {
    title: page.seo.title || page.title,
    description: page.seo.description || undefined,
    alternates: { canonical: page.url ?? undefined, languages },
  };
}

export default async function CmsPage({ params, searchParams }: Props) {
  const { locale, page } = await load(params);
  const raw = await searchParams;
  const query = {
    page: typeof raw.page === "string" ? raw.page : undefined,
    topic: typeof raw.topic === "string" ? raw.topic : undefined,
  };
  const alternate = page.translations.find((translation) => translation.locale !== locale)?.url ?? null;
  return <Shell locale={locale} alternate={alternate}><PageView page={page} locale={locale} query={query} /></Shell>;
}
