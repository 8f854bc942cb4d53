// Search, people and topics, read on the server from the typed client.
import "server-only";
import { api, type Schemas } from "@/api/client";
import type { operations } from "@/api/schema";
import type { Locale } from "@/lib/i18n";

export type SearchQuery = NonNullable<operations["search_api_search"]["parameters"]["query"]>;
export type SearchAnswer = { results: Schemas["SearchResults"]; problem: null } | { results: null; problem: string };

/** A search, or the API's own explanation (problem+json `detail`, in the reader's language) of a bad query. */
export async function search(query: SearchQuery, locale: Locale): Promise<SearchAnswer> {
  const { data, error, response } = await api.GET("/api/v1/search/", {
    params: { query },
    headers: { "Accept-Language": locale },
  });
  if (data) return { results: data, problem: null };
  if (response.status >= 500 || response.status === 401 || response.status === 403) {
    throw new Error(`The CMS answered ${response.status} for a search.`);
  }
  return { results: null, problem: error?.detail || `The CMS answered ${response.status}.` };
}

export async function person(id: number): Promise<Schemas["PersonOut"] | null> {
  const { data, response } = await api.GET("/api/v1/people/{person_id}/", { params: { path: { person_id: id } } });
  if (response.status === 404) return null;
  if (!data) throw new Error(`The CMS answered ${response.status} for person ${id}.`);
  return data;
}

export async function topic(id: number): Promise<Schemas["TopicOut"] | null> {
  const { data, response } = await api.GET("/api/v1/topics/{topic_id}/", { params: { path: { topic_id: id } } });
  if (response.status === 404) return null;
  if (!data) throw new Error(`The CMS answered ${response.status} for topic ${id}.`);
  return data;
}
