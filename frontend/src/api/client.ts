// The content API, read on the server: typed from openapi/api.json (npm run generate).
import "server-only";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type AnyPage =
  | Schemas["HomePage"]
  | Schemas["NewsIndexPage"]
  | Schemas["NewsArticlePage"]
  | Schemas["InterviewIndexPage"]
  | Schemas["InterviewPage"]
  | Schemas["VideoIndexPage"]
  | Schemas["VideoPage"];
export type Locale = "fr" | "en";

export const CMS_URL = (process.env.CMS_URL ?? "http://127.0.0.1:8000").replace(/\/$/, "");
/** Seconds a page is served from Next.js's cache before it is fetched again (webhooks revalidate sooner). */
export const REVALIDATE = Number(process.env.CMS_REVALIDATE_SECONDS ?? 60);
/** The tag every content fetch carries: a webhook from the CMS revalidates it. */
export const CONTENT_TAG = "cms-content";

const headers: Record<string, string> = {};
if (process.env.CMS_API_KEY) headers["X-API-Key"] = process.env.CMS_API_KEY;

export const api = createClient<paths>({
  baseUrl: CMS_URL,
  headers,
  // Passed to fetch() beside the Request, where Next.js's data cache reads it.
  requestInitExt: { next: { revalidate: REVALIDATE, tags: [CONTENT_TAG] } },
});

let siteHostname: Promise<string> | undefined;

/** The hostname of the CMS's default site, which /pages/find/ needs (CMS_SITE overrides it). */
export function site(): Promise<string> {
  if (process.env.CMS_SITE) return Promise.resolve(process.env.CMS_SITE);
  siteHostname ??= api.GET("/api/v1/sites/").then(({ data }) => {
    const found = data?.find((candidate) => candidate.is_default) ?? data?.[0];
    if (!found) throw new Error(`${CMS_URL}/api/v1/sites/ lists no site.`);
    return found.hostname;
  });
  return siteHostname;
}

/** The page published at a front-end path such as /fr/actualites/, or null when there is none. */
export async function findPage(path: string): Promise<AnyPage | null> {
  const { data, response } = await api.GET("/api/v1/pages/find/", {
    params: { query: { site: await site(), path } },
  });
  if (response.status === 404) return null;
  if (!data) throw new Error(`The CMS answered ${response.status} for ${path}.`);
  return data;
}

// Drafts are never cached, here or in the browser (the CMS answers them `Cache-Control: private, no-store`).
const previewApi = createClient<paths>({ baseUrl: CMS_URL, headers, requestInitExt: { cache: "no-store" } });

/** The draft an editor is previewing (wagtail-headless-preview's token), or null when the token is unknown or
 *  expired; the API key (CMS_API_KEY) must have the preview scope. */
export async function findPreview(contentType: string, token: string): Promise<{ page: AnyPage | null; problem: string | null }> {
  const { data, error, response } = await previewApi.GET("/api/v1/preview/", {
    params: { query: { content_type: contentType, token } },
  });
  if (data) return { page: data, problem: null };
  const detail = (error as { detail?: string } | undefined)?.detail;
  return { page: null, problem: detail || `The CMS answered ${response.status} for the preview.` };
}
