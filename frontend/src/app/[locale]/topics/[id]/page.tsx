import type { Metadata } from "next";
import { SnippetPage, snippetMetadata, type SnippetProps } from "@/lib/snippet-page";

export function generateMetadata({ params }: SnippetProps): Promise<Metadata> {
  return snippetMetadata("topic", params);
}

export default function TopicPage(props: SnippetProps) {
  return <SnippetPage kind="topic" {...props} />;
}
