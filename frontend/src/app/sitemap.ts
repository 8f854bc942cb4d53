import type { MetadataRoute } from "next";
import { listPages } from "@/lib/content";

// Rendered on request (its fetches are cached), so `next build` does not need the CMS.
export const dynamic = "force-dynamic";

/** Every published page in every language, with its translations as hreflang alternates. */
export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  const origin = (process.env.PORTAL_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
  const entries: MetadataRoute.Sitemap = [];
  for (let offset = 0; ; offset += 100) {
    const list = await listPages({ limit: 100, offset, order: "first_published_at" });
    for (const page of list.items) {
      if (!page.url) continue;
      const languages: Record<string, string> = { [page.locale]: origin + page.url };
      for (const translation of page.translations) if (translation.url) languages[translation.locale] = origin + translation.url;
      entries.push({ url: origin + page.url, lastModified: page.last_published_at ?? undefined, alternates: { languages } });
    }
    if (offset + list.items.length >= list.count || list.items.length === 0) break;
  }
  return entries;
}
