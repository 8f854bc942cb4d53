import Link from "next/link";
import type { Schemas } from "@/api/client";
import { dictionary, formatDate, type Locale } from "@/lib/i18n";
import { listPages, PAGE_SIZE } from "@/lib/content";
import { search, type SearchQuery } from "@/lib/discovery-api";

type Item = Schemas["PageList"]["items"][number] | Schemas["SearchResults"]["items"][number];
export type SearchParams = { q?: string; type?: string; topic?: string; year?: string; page?: string };

// The content types the portal lists and searches: the API declares `type` as an enum of these.
const TYPES = ["news.NewsArticlePage", "interviews.InterviewPage", "videos.VideoPage"] as const;
type ContentType = (typeof TYPES)[number];
const isContentType = (value: string): value is ContentType => (TYPES as readonly string[]).includes(value);

export const searchUrl = (locale: Locale) => `/${locale}/search/`;
export const personUrl = (locale: Locale, id: number) => `/${locale}/people/${id}/`;
export const topicUrl = (locale: Locale, id: number) => `/${locale}/topics/${id}/`;

function itemDate(item: Item): string | null {
  if (item.type === "news.NewsArticlePage") return item.published_at ?? null;
  if (item.type === "interviews.InterviewPage") return item.date ?? null;
  if (item.type === "videos.VideoPage") return item.recorded_on ?? null;
  return item.first_published_at;
}

/**
 * The API's excerpt is HTML-escaped text with <mark> around the matched words (docs/search.md); anything else
 * that looks like a tag is escaped again here, so a change on the other side can never inject markup.
 */
function safeExcerpt(html: string): string {
  return html.replace(/<(?!\/?mark>)/g, "&lt;");
}

function Results({ items, locale }: { items: Item[]; locale: Locale }) {
  const t = dictionary(locale).discovery;
  return (
    <ul className="listing">
      {items.map((item) => {
        const date = itemDate(item);
        return (
          <li key={item.id}>
            <h2>{item.url ? <Link href={item.url}>{item.title}</Link> : item.title}</h2>
            <p className="meta">
              {t.types[item.type] ?? item.type}
              {date && <> · <time dateTime={date}>{formatDate(date, locale)}</time></>}
            </p>
            {"excerpt" in item && item.excerpt && <p className="excerpt" dangerouslySetInnerHTML={{ __html: safeExcerpt(item.excerpt) }} />}
          </li>
        );
      })}
    </ul>
  );
}

function Pagination({ current, count, href, locale }: { current: number; count: number; href: (page: number) => string; locale: Locale }) {
  const t = dictionary(locale);
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  if (pages <= 1) return null;
  return (
    <nav className="pagination" aria-label={t.pageOf(current, pages)}>
      {current > 1 && <Link href={href(current - 1)} rel="prev">{t.newer}</Link>}
      <span>{t.pageOf(current, pages)}</span>
      {current < pages && <Link href={href(current + 1)} rel="next">{t.older}</Link>}
    </nav>
  );
}

const pageNumber = (value: string | undefined) => Math.max(1, Number.parseInt(value ?? "1", 10) || 1);
const positive = (value: string | undefined) => (value && /^\d{1,18}$/.test(value) && Number(value) > 0 ? Number(value) : undefined);

/** The search page: the query, its facets (type, topic, year: each a link that adds or removes the filter), results. */
export async function SearchView({ locale, params }: { locale: Locale; params: SearchParams }) {
  const t = dictionary(locale).discovery;
  const q = params.q?.trim() ?? "";
  const type = params.type && isContentType(params.type) ? params.type : undefined;
  const topic = positive(params.topic);
  const year = params.year && /^\d{4}$/.test(params.year) ? params.year : undefined;
  const current = pageNumber(params.page);
  const chosen: SearchParams = { q, ...(type && { type }), ...(topic && { topic: String(topic) }), ...(year && { year }) };
  const href = (change: SearchParams) => {
    const merged = Object.entries({ ...chosen, ...change }).filter(([, value]) => value !== undefined && value !== "");
    return `${searchUrl(locale)}?${new URLSearchParams(merged as [string, string][])}`;
  };

  let answer = null;
  if (q) {
    const query: SearchQuery = {
      q,
      locale,
      limit: PAGE_SIZE,
      offset: (current - 1) * PAGE_SIZE,
      ...(type && { type: [type] }),
      ...(topic && { topic }),
      ...(year && { date_from: `${year}-01-01`, date_to: `${year}-12-31` }),
    };
    answer = await search(query, locale);
  }
  const results = answer?.results;
  return (
    <>
      <h1>{t.search}</h1>
      <form className="search-form" role="search" method="get" action={searchUrl(locale)}>
        <label htmlFor="q">{t.searchLabel}</label>
        <input id="q" name="q" type="search" defaultValue={q} maxLength={256} required />
        {type && <input type="hidden" name="type" value={type} />}
        {topic && <input type="hidden" name="topic" value={topic} />}
        {year && <input type="hidden" name="year" value={year} />}
        <button type="submit">{t.searchButton}</button>
      </form>
      {answer?.problem && <p className="errors" role="alert">{answer.problem}</p>}
      {results && (
        <div className="search">
          <aside className="facets" aria-labelledby="facets-heading">
            <h2 id="facets-heading">{t.refine}</h2>
            <Facet title={t.byType} entries={results.facets.type.map((entry) => ({ key: entry.type, name: t.types[entry.type] ?? entry.type, count: entry.count }))} chosen={type} link={(key) => href({ type: key, page: undefined })} clear={href({ type: undefined, page: undefined })} locale={locale} />
            <Facet title={t.byTopic} entries={results.facets.topic.map((entry) => ({ key: String(entry.id), name: entry.name, count: entry.count }))} chosen={topic ? String(topic) : undefined} link={(key) => href({ topic: key, page: undefined })} clear={href({ topic: undefined, page: undefined })} locale={locale} />
            <Facet title={t.byYear} entries={results.facets.year.map((entry) => ({ key: String(entry.year), name: String(entry.year), count: entry.count }))} chosen={year} link={(key) => href({ year: key, page: undefined })} clear={href({ year: undefined, page: undefined })} locale={locale} />
          </aside>
          <section className="hits" aria-live="polite">
            <p className="meta">
              {results.searched_for.toLowerCase() !== q.toLowerCase() ? t.searchedFor(results.searched_for) : t.results(results.count, q)}
            </p>
            {results.count === 0 && <p>{t.noResults}</p>}
            {results.did_you_mean && (
              <p>{t.didYouMean} <Link href={href({ q: results.did_you_mean, page: undefined })}>{results.did_you_mean}</Link></p>
            )}
            <Results items={results.items} locale={locale} />
            <Pagination current={current} count={results.count} href={(page) => href({ page: String(page) })} locale={locale} />
          </section>
        </div>
      )}
    </>
  );
}

type FacetEntry = { key: string; name: string; count: number };

function Facet({ title, entries, chosen, link, clear, locale }: { title: string; entries: FacetEntry[]; chosen: string | undefined; link: (key: string) => string; clear: string; locale: Locale }) {
  if (entries.length === 0) return null;
  const t = dictionary(locale).discovery;
  return (
    <section className="facet">
      <h3>{title}</h3>
      <ul>
        {entries.map((entry) => (
          <li key={entry.key}>
            {entry.key === chosen ? (
              <Link href={clear} aria-current="true" title={t.clearFilter(entry.name)} className="chosen">{entry.name} ({entry.count}) ✕</Link>
            ) : (
              <Link href={link(entry.key)}>{entry.name} ({entry.count})</Link>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A person's or a topic's page: who or what it is, then the items linked to it in this language, newest first. */
export async function LinkedItemsView({ kind, item, locale, page }: { kind: "person" | "topic"; item: Schemas["PersonOut"] | Schemas["TopicOut"]; locale: Locale; page?: string }) {
  const t = dictionary(locale).discovery;
  const current = pageNumber(page);
  const list = await listPages({
    type: [...TYPES],
    locale,
    order: "-date",
    limit: PAGE_SIZE,
    offset: (current - 1) * PAGE_SIZE,
    ...(kind === "person" ? { person: item.id } : { topic: item.id }),
  });
  const base = kind === "person" ? personUrl(locale, item.id) : topicUrl(locale, item.id);
  return (
    <>
      <p className="snippet-kicker">{kind === "person" ? t.personKicker : t.topicKicker}</p>
      <h1>{item.name}</h1>
      {"role" in item && item.role && <p className="standfirst">{item.role}</p>}
      <h2>{kind === "person" ? t.personItems(item.name) : t.topicItems(item.name)}</h2>
      {list.items.length === 0 ? <p>{dictionary(locale).noItems}</p> : <Results items={list.items} locale={locale} />}
      <Pagination current={current} count={list.count} href={(number) => `${base}?page=${number}`} locale={locale} />
    </>
  );
}
