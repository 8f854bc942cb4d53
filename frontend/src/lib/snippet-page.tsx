import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import type { Schemas } from "@/api/client";
import { isLocale, type Locale } from "@/lib/i18n";
import { Shell } from "@/lib/shell";
import { LinkedItemsView, personUrl, topicUrl } from "@/lib/discovery";
import { person, topic } from "@/lib/discovery-api";

// The person and topic pages share this: /{locale}/people/{id}/ and /{locale}/topics/{id}/.
export type SnippetProps = {
  params: Promise<{ locale: string; id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};
type Kind = "person" | "topic";
type Snippet = Schemas["PersonOut"] | Schemas["TopicOut"];

const url = (kind: Kind, locale: Locale, id: number) => (kind === "person" ? personUrl(locale, id) : topicUrl(locale, id));

/** The id of the item's version in `locale`, from the translations the API lists with it. */
function translationOf(item: Snippet, locale: Locale): number | null {
  return item.translations.find((version) => version.locale === locale)?.id ?? null;
}

async function load(kind: Kind, params: SnippetProps["params"]): Promise<{ locale: Locale; item: Snippet }> {
  const { locale, id } = await params;
  if (!isLocale(locale) || !/^\d{1,18}$/.test(id)) notFound();
  const item = kind === "person" ? await person(Number(id)) : await topic(Number(id));
  if (!item) notFound();
  if (item.locale !== locale) {
    // An id of another language version (an old link, a hand-typed URL): this language's version, if any.
    const translated = translationOf(item, locale);
    if (translated === null) notFound();
    redirect(url(kind, locale, translated));
  }
  return { locale, item };
}

export async function snippetMetadata(kind: Kind, params: SnippetProps["params"]): Promise<Metadata> {
  const { locale, item } = await load(kind, params);
  const languages: Record<string, string> = { [locale]: url(kind, locale, item.id) };
  for (const version of item.translations) {
    if (isLocale(version.locale)) languages[version.locale] = url(kind, version.locale, version.id);
  }
  return { title: item.name, alternates: { canonical: url(kind, locale, item.id), languages } };
}

export async function SnippetPage({ kind, params, searchParams }: SnippetProps & { kind: Kind }) {
  const { locale, item } = await load(kind, params);
  const other: Locale = locale === "fr" ? "en" : "fr";
  const translated = translationOf(item, other);
  const page = (await searchParams).page;
  return (
    <Shell locale={locale} alternate={translated === null ? null : url(kind, other, translated)}>
      <LinkedItemsView kind={kind} item={item} locale={locale} page={typeof page === "string" ? page : undefined} />
    </Shell>
  );
}
