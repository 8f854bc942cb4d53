import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findPreview } from "@/api/client";
import { dictionary, isLocale, DEFAULT_LOCALE } from "@/lib/i18n";
import { PageView } from "@/lib/page-view";
import { Shell } from "@/lib/shell";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { robots: { index: false, follow: false } };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Where Wagtail's Preview sends editors (the front end's preview URL, with wagtail-headless-preview's
 *  `content_type` and `token`): the draft, rendered as the live page would be, under a "draft" banner. */
export default async function PreviewPage({ searchParams }: Props) {
  const { content_type: contentType, token } = await searchParams;
  if (typeof contentType !== "string" || typeof token !== "string") notFound();
  const { page, problem } = await findPreview(contentType, token);
  if (!page) {
    const t = dictionary(DEFAULT_LOCALE);
    return (
      <Shell locale={DEFAULT_LOCALE} alternate={null}>
        <h1>{t.errorTitle}</h1>
        <p role="alert">{problem}</p>
      </Shell>
    );
  }
  const locale = isLocale(page.locale) ? page.locale : DEFAULT_LOCALE;
  return (
    <>
      <p className="draft-banner" role="status">{dictionary(locale).draft}</p>
      <Shell locale={locale} alternate={null}>
        <PageView page={page} locale={locale} query={{}} />
      </Shell>
    </>
  );
}
