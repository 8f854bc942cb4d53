"use client";

import { useCallback, useEffect, useState } from "react";
import { accountsClient, BROWSER, ensureCsrf, memberClient, pendingFlow, type Problem } from "@/api/allauth";
import type { components } from "@/api/schema";
import type { Locale } from "@/lib/i18n";

export type Offer = components["schemas"]["DownloadOffer"];
export type Job = components["schemas"]["ClipJob"];
export type FileLink = components["schemas"]["DownloadLink"];
export type DownloadRequest = components["schemas"]["DownloadRequest"];

const POLL_MS = 1000;

/** What this person may download of a video page: the server rendered the anonymous offer, the browser asks
 *  again with the person's session cookie (the API personalises the `download` field for it). */
export function usePersonalOffer(locale: Locale, pageId: number, anonymous: Offer | null) {
  const [offer, setOffer] = useState<Offer | null>(anonymous);
  const [checked, setChecked] = useState(false);
  const [verifying, setVerifying] = useState(false);
  useEffect(() => {
    let live = true;
    const page = memberClient(locale)
      .GET("/api/v1/pages/{page_id}/", { params: { path: { page_id: pageId } }, cache: "no-store" })
      .then(({ data }) => {
        if (live && data?.type === "videos.VideoPage") setOffer(data.download ?? null);
      });
    // Signed up but not verified yet: allauth keeps a pending verify_email flow in the session.
    const session = accountsClient(locale)
      .GET("/_allauth/{client}/v1/auth/session", BROWSER)
      .then(({ error }) => {
        if (live) setVerifying(pendingFlow(error) === "verify_email");
      });
    Promise.allSettled([page, session]).then(() => live && setChecked(true));
    return () => {
      live = false;
    };
  }, [locale, pageId]);
  return { offer, checked, verifying };
}

/** Asks for a download, follows a clip's job until it is ready or failed, and keeps the API's refusal. */
export function useDownload(locale: Locale, videoId: number) {
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<FileLink | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const ask = useCallback(
    async (body: DownloadRequest, unexpected: string) => {
      setBusy(true);
      setProblem(null);
      setLink(null);
      setJob(null);
      try {
        await ensureCsrf(locale);
        const { data, error } = await memberClient(locale).POST("/api/v1/videos/{video_id}/downloads", {
          params: { path: { video_id: videoId } },
          body,
        });
        if (!data) return setProblem((error as Problem | undefined)?.detail || unexpected);
        if ("job_id" in data) setJob(data);
        else setLink(data);
      } catch {
        setProblem(unexpected);
      } finally {
        setBusy(false);
      }
    },
    [locale, videoId],
  );

  const jobId = job?.job_id;
  const waiting = job?.status === "queued" || job?.status === "running";
  useEffect(() => {
    if (!jobId || !waiting) return;
    const timer = setTimeout(async () => {
      try {
        const { data, error } = await memberClient(locale).GET("/api/v1/downloads/{job_id}", {
          params: { path: { job_id: jobId } },
          cache: "no-store",
        });
        if (data) setJob(data);
        else setProblem((error as Problem | undefined)?.detail ?? null);
      } catch {
        setJob((current) => (current ? { ...current } : current)); // a network hiccup: poll again
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [locale, jobId, waiting, job]);

  useEffect(() => {
    if (job?.status === "ready" && job.link) setLink(job.link);
    if (job?.status === "failed" && job.error) setProblem(job.error.message);
  }, [job]);

  return { busy: busy || waiting, link, job, problem, setProblem, ask };
}
