import Link from "next/link";
import type { Schemas } from "@/api/client";
import { dictionary, formatDate, type Locale } from "@/lib/i18n";
import { listPages, PAGE_SIZE, topics as listTopics } from "@/lib/content";
import { NewsBody, Picture, RichText } from "@/lib/blocks";
import { DownloadPanel } from "@/downloads/panel";
import { personUrl, topicUrl } from "@/lib/discovery";

type Query = { page?: string; topic?: string };

function People({ people, locale }: { people: Schemas["LinkedPerson"][] | null | undefined; locale: Locale }) {
  if (!people?.length) return null;
  return (
    <section className="people" aria-labelledby="people-heading">
      <h2 id="people-heading">{dictionary(locale).people}</h2>
      <ul>
        {people.map((person) => (
          <li key={`${person.id}-${person.part}`}>
            <strong><Link href={personUrl(locale, person.id)}>{person.name}</Link></strong>
            {person.role && <span>, {person.role}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Topics({ topics, locale }: { topics: Schemas["Topic"][] | null | undefined; locale: Locale }) {
  if (!topics?.length) return null;
  return (
    <section className="topics" aria-labelledby="topics-heading">
      <h2 id="topics-heading">{dictionary(locale).topics}</h2>
      <ul className="tags">
        {topics.map((topic) => (
          <li key={topic.id}><Link href={topicUrl(locale, topic.id)}>{topic.name}</Link></li>
        ))}
      </ul>
    </section>
  );
}

function Related({ pages, locale }: { pages: Schemas["PageLink"][] | null | undefined; locale: Locale }) {
  if (!pages?.length) return null;
  return (
    <section className="related" aria-labelledby="related-heading">
      <h2 id="related-heading">{dictionary(locale).related}</h2>
      <ul>
        {pages.map((page) => (
          <li key={page.id}>{page.url ? <Link href={page.url}>{page.title}</Link> : page.title}</li>
        ))}
      </ul>
    </section>
  );
}

export function HomeView({ page, locale }: { page: Schemas["HomePage"]; locale: Locale }) {
  const t = dictionary(locale);
  return (
    <>
      <h1>{page.title}</h1>
      {page.intro && <p className="standfirst">{page.intro}</p>}
      <section aria-labelledby="featured-heading">
        <h2 id="featured-heading">{t.featured}</h2>
        <ul className="cards">
          {(page.featured ?? []).map((item) => (
            <li key={item.id} className="card">{item.url ? <Link href={item.url}>{item.title}</Link> : item.title}</li>
          ))}
        </ul>
      </section>
    </>
  );
}

const CHILD_TYPES = {
  "news.NewsIndexPage": "news.NewsArticlePage",
  "interviews.InterviewIndexPage": "interviews.InterviewPage",
  "videos.VideoIndexPage": "videos.VideoPage",
} as const;

type IndexPage = Schemas["NewsIndexPage"] | Schemas["InterviewIndexPage"] | Schemas["VideoIndexPage"];

function itemDate(item: Schemas["PageList"]["items"][number]): string | null {
  if (item.type === "news.NewsArticlePage") return item.published_at ?? null;
  if (item.type === "interviews.InterviewPage") return item.date ?? null;
  if (item.type === "videos.VideoPage") return item.recorded_on ?? null;
  return item.first_published_at;
}

/** A section's listing: newest first, PAGE_SIZE a page, filtered by a topic. */
export async function IndexView({ page, locale, query }: { page: IndexPage; locale: Locale; query: Query }) {
  const t = dictionary(locale);
  const current = Math.max(1, Number.parseInt(query.page ?? "1", 10) || 1);
  const topic = query.topic && /^\d+$/.test(query.topic) ? Number(query.topic) : undefined;
  const [list, allTopics] = await Promise.all([
    listPages({
      type: [CHILD_TYPES[page.type]],
      child_of: page.id,
      locale,
      limit: PAGE_SIZE,
      offset: (current - 1) * PAGE_SIZE,
      ...(topic ? { topic } : {}),
    }),
    listTopics(locale),
  ]);
  const pages = Math.max(1, Math.ceil(list.count / PAGE_SIZE));
  const href = (number: number) => `${page.url}?${new URLSearchParams({ ...(topic ? { topic: String(topic) } : {}), page: String(number) })}`;
  return (
    <>
      <h1>{page.title}</h1>
      {page.intro && <p className="standfirst">{page.intro}</p>}
      <form className="filter" method="get" action={page.url ?? undefined}>
        <label htmlFor="topic">{t.topic}</label>
        <select id="topic" name="topic" defaultValue={topic ? String(topic) : ""}>
          <option value="">{t.allTopics}</option>
          {allTopics.map((item) => (
            <option key={item.id} value={item.id}>{item.name}</option>
          ))}
        </select>
        <button type="submit">{t.filter}</button>
      </form>
      {list.items.length === 0 ? (
        <p>{t.noItems}</p>
      ) : (
        <ul className="listing">
          {list.items.map((item) => {
            const date = itemDate(item);
            return (
              <li key={item.id}>
                <h2>{item.url ? <Link href={item.url}>{item.title}</Link> : item.title}</h2>
                {date && <p className="meta"><time dateTime={date}>{formatDate(date, locale)}</time></p>}
              </li>
            );
          })}
        </ul>
      )}
      {pages > 1 && (
        <nav className="pagination" aria-label={t.pageOf(current, pages)}>
          {current > 1 && <Link href={href(current - 1)} rel="prev">{t.newer}</Link>}
          <span>{t.pageOf(current, pages)}</span>
          {current < pages && <Link href={href(current + 1)} rel="next">{t.older}</Link>}
        </nav>
      )}
    </>
  );
}

export function ArticleView({ page, locale }: { page: Schemas["NewsArticlePage"]; locale: Locale }) {
  return (
    <article className="article">
      <h1>{page.title}</h1>
      <p className="meta">
        {page.dateline && <span className="dateline">{page.dateline}, </span>}
        {page.published_at && <time dateTime={page.published_at}>{formatDate(page.published_at, locale, true)}</time>}
      </p>
      {page.standfirst && <p className="standfirst">{page.standfirst}</p>}
      {page.lead_image && <Picture image={page.lead_image} className="lead-image" />}
      <NewsBody blocks={page.body ?? []} />
      <People people={page.people} locale={locale} />
      <Topics topics={page.topics} locale={locale} />
      <Related pages={page.related_pages} locale={locale} />
    </article>
  );
}

export function InterviewView({ page, locale }: { page: Schemas["InterviewPage"]; locale: Locale }) {
  const t = dictionary(locale);
  const speakers = (page.people ?? []).filter((person) => person.part === "interviewee" || person.part === "interviewer");
  return (
    <article className="interview">
      <h1>{page.title}</h1>
      <p className="meta">
        {[page.event, page.place].filter(Boolean).join(", ")}
        {page.date && <> · <time dateTime={page.date}>{formatDate(page.date, locale)}</time></>}
      </p>
      {page.standfirst && <p className="standfirst">{page.standfirst}</p>}
      {speakers.length > 0 && (
        <section className="speakers" aria-labelledby="speakers-heading">
          <h2 id="speakers-heading">{t.speakers}</h2>
          <ul>{speakers.map((person) => <li key={person.id}><strong><Link href={personUrl(locale, person.id)}>{person.name}</Link></strong>, {person.role}</li>)}</ul>
        </section>
      )}
      <div className="qa">
        {(page.body ?? []).map((block) => {
          if (block.type === "question") {
            return (
              <div key={block.id} className="question">
                <p className="speaker">Q{block.value.asker ? ` (${block.value.asker}${block.value.outlet ? `, ${block.value.outlet}` : ""})` : ""} :</p>
                <RichText html={block.value.text} />
              </div>
            );
          }
          if (block.type === "answer") {
            return (
              <div key={block.id} className="answer">
                <p className="speaker">{block.value.speaker?.name.toUpperCase() ?? ""} :</p>
                <RichText html={block.value.text} />
              </div>
            );
          }
          return <RichText key={block.id} html={block.value.text} className="note" />;
        })}
      </div>
      <People people={page.people} locale={locale} />
      <Topics topics={page.topics} locale={locale} />
      <Related pages={page.related_pages} locale={locale} />
    </article>
  );
}

function duration(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

export function VideoView({ page, locale }: { page: Schemas["VideoPage"]; locale: Locale }) {
  const t = dictionary(locale);
  const poster = page.poster?.renditions.large?.url ?? page.poster?.renditions.medium?.url;
  const video = page.video;
  return (
    <article className="video-page">
      <h1>{page.title}</h1>
      <p className="meta">
        {page.place}
        {page.recorded_on && <> · <time dateTime={page.recorded_on}>{formatDate(page.recorded_on, locale)}</time></>}
        {video && <> · {t.duration} {duration(video.duration)}</>}
      </p>
      {page.summary && <p className="standfirst">{page.summary}</p>}
      {video?.proxy_url ? (
        <video className="player" controls preload="metadata" poster={poster} width={video.width} height={video.height}>
          <source src={video.proxy_url} type="video/mp4" />
          {(page.captions ?? []).map((track) => (
            <track key={track.locale} kind="captions" src={track.url} srcLang={track.locale} label={track.locale.toUpperCase()} default={track.locale === locale} />
          ))}
        </video>
      ) : (
        <figure>
          {page.poster && <Picture image={page.poster} className="poster" />}
          <figcaption>{t.noProxy}</figcaption>
        </figure>
      )}
      {video && (
        <DownloadPanel
          locale={locale}
          pageId={page.id}
          videoId={video.id}
          duration={duration(video.duration)}
          shots={page.shots ?? []}
          anonymous={page.download ?? null}
          next={page.url ?? `/${locale}/`}
        />
      )}
      {(page.shots ?? []).length > 0 && (
        <section aria-labelledby="shots-heading">
          <h2 id="shots-heading">{t.shotList}</h2>
          <ol className="shots">
            {(page.shots ?? []).map((shot) => (
              <li key={shot.id}>
                <span className="timecode">{shot.in_point} – {shot.out_point}</span>
                <span>{shot.description}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      {page.transcript && (
        <section aria-labelledby="transcript-heading">
          <h2 id="transcript-heading">{t.transcript}</h2>
          <div className="transcript">{page.transcript.split(/\n+/).map((line, index) => <p key={index}>{line}</p>)}</div>
        </section>
      )}
      {page.usage_restrictions && (
        <section aria-labelledby="restrictions-heading">
          <h2 id="restrictions-heading">{t.restrictions}</h2>
          <p>{page.usage_restrictions}</p>
        </section>
      )}
      {(page.credits || page.copyright) && (
        <p className="credits">{page.credits} {page.copyright}</p>
      )}
      <People people={page.people} locale={locale} />
      <Topics topics={page.topics} locale={locale} />
      <Related pages={page.related_pages} locale={locale} />
    </article>
  );
}
