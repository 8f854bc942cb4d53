import type { AnyPage } from "@/api/client";
import type { Locale } from "@/lib/i18n";
import { ArticleView, HomeView, IndexView, InterviewView, VideoView } from "@/lib/pages";

export type ListingQuery = { page?: string; topic?: string };

/** A page of any type as its view renders it: the live pages and the previews of drafts share this. */
export function PageView({ page, locale, query }: { page: AnyPage; locale: Locale; query: ListingQuery }) {
  switch (page.type) {
    case "home.HomePage":
      return <HomeView page={page} locale={locale} />;
    case "news.NewsIndexPage":
    case "interviews.InterviewIndexPage":
    case "videos.VideoIndexPage":
      return <IndexView page={page} locale={locale} query={query} />;
    case "news.NewsArticlePage":
      return <ArticleView page={page} locale={locale} />;
    case "interviews.InterviewPage":
      return <InterviewView page={page} locale={locale} />;
    case "videos.VideoPage":
      return <VideoView page={page} locale={locale} />;
  }
}
