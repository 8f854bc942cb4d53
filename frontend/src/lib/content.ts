import "server-only";
import { api, type Schemas } from "@/api/client";
import type { operations } from "@/api/schema";
import type { Locale } from "@/lib/i18n";

export const PAGE_SIZE = 10;

type ListQuery = NonNullable<operations["cms_pages_api_list_pages"]["parameters"]["query"]>;

export async function listPages(query: ListQuery): Promise<Schemas["PageList"]> {
  const { data, response } = await api.GET("/api/v1/pages/", { params: { query } });
  if (!data) throw new Error(`The CMS answered ${response.status} for a page listing.`);
  return data;
}

/** The section pages (news, interviews, videos) of a language, for the header. */
export async function sections(locale: Locale): Promise<{ title: string; url: string }[]> {
  const list = await listPages({
    type: ["news.NewsIndexPage", "interviews.InterviewIndexPage", "videos.VideoIndexPage"],
    locale,
    limit: 10,
  });
  return list.items.flatMap((item) => (item.url ? [{ title: item.title, url: item.url }] : []));
}

export async function topics(locale: Locale): Promise<Schemas["TopicOut"][]> {
  const { data } = await api.GET("/api/v1/topics/", { params: { query: { locale, limit: 100 } } });
  return data?.items ?? [];
}
