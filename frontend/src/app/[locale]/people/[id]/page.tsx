import type { Metadata } from "next";
import { SnippetPage, snippetMetadata, type SnippetProps } from "@/lib/snippet-page";

export function generateMetadata({ params }: SnippetProps): Promise<Metadata> {
  return snippetMetadata("person", params);
}

export default function PersonPage(props: SnippetProps) {
  return <SnippetPage kind="person" {...props} />;
}
