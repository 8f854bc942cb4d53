"use client";

import Link from "next/link";
import { useState } from "react";
import type { components } from "@/api/schema";
import { dictionary, type Locale } from "@/lib/i18n";
import { useDownload, usePersonalOffer, type FileLink, type Job, type Offer } from "./use-downloads";

type Shot = components["schemas"]["Shot"];

function size(bytes: number, locale: Locale): string {
  const units = ["B", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`;
}

/** The proxy player on the page (rendered by the server beside this panel), for in and out points. */
function playerTime(): string | null {
  const player = document.querySelector<HTMLVideoElement>("video.player");
  return player ? player.currentTime.toFixed(3) : null;
}

function Progress({ job, locale }: { job: Job; locale: Locale }) {
  const t = dictionary(locale).downloads;
  if (job.status !== "queued" && job.status !== "running") return null;
  return (
    <div className="job">
      <progress max={100} value={job.status === "running" ? job.progress : undefined} aria-labelledby="job-status" />
      <p id="job-status" role="status">{job.status === "queued" ? t.queued : t.running(job.progress)}</p>
    </div>
  );
}

function Result({ link, job, locale }: { link: FileLink; job: Job | null; locale: Locale }) {
  const t = dictionary(locale).downloads;
  return (
    <div className="download-ready" role="status">
      <p>{t.ready}{job?.actual && <> {t.actual(job.actual.start, job.actual.end)}</>}</p>
      <p><a className="button" href={link.url} download={link.filename}>{t.getFile(link.filename, size(link.size, locale))}</a></p>
    </div>
  );
}

function Refusals({ offer, verifying, locale, next }: { offer: Offer | null; verifying: boolean; locale: Locale; next: string }) {
  const t = dictionary(locale);
  const codes = new Set(offer?.refusals.map((refusal) => refusal.code) ?? ["not_authenticated"]);
  const query = `?next=${encodeURIComponent(next)}`;
  return (
    <>
      <h3>{t.downloads.cannot}</h3>
      <ul>
        {verifying ? <li>{t.downloads.pendingVerification}</li> : offer?.refusals.map((refusal) => <li key={refusal.code}>{refusal.message}</li>)}
      </ul>
      {verifying || codes.has("email_unverified") ? (
        <p><Link href={`/${locale}/account/verify-email${query}`}>{t.downloads.verifyLink}</Link></p>
      ) : codes.has("not_authenticated") ? (
        <p>
          <Link href={`/${locale}/account/signup${query}`}>{t.nav.signup}</Link>
          {" · "}
          <Link href={`/${locale}/account/login${query}`}>{t.nav.login}</Link>
        </p>
      ) : null}
    </>
  );
}

/** The video page's downloads: the full master, consecutive shots, or in/out points set on the player. */
export function DownloadPanel({
  locale, pageId, videoId, duration, shots, anonymous, next,
}: {
  locale: Locale;
  pageId: number;
  videoId: number;
  duration: string;
  shots: Shot[];
  anonymous: Offer | null;
  next: string;
}) {
  const t = dictionary(locale);
  const { offer, checked, verifying } = usePersonalOffer(locale, pageId, anonymous);
  const { busy, link, job, problem, setProblem, ask } = useDownload(locale, videoId);
  const [picked, setPicked] = useState<number[]>([]);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const allowed = checked && offer?.can_download === true && !verifying;
  const toggle = (id: number, on: boolean) => setPicked((current) => (on ? [...current, id] : current.filter((item) => item !== id)));
  const asTimecode = (value: string) => (/^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value.trim());

  return (
    <section className="download-offer" aria-labelledby="download-heading">
      <h2 id="download-heading">{t.download}</h2>
      {!checked && <p>{t.downloads.checking}</p>}
      {checked && !allowed && <Refusals offer={offer} verifying={verifying} locale={locale} next={next} />}
      {allowed && (
        <>
          <p>
            <button type="button" disabled={busy} onClick={() => ask({ kind: "full" }, t.account.unexpected)}>{t.downloads.full}</button>{" "}
            <span className="meta">{t.downloads.fullHint(duration)}</span>
          </p>
          {shots.length > 0 && (
            <form onSubmit={(event) => {
              event.preventDefault();
              if (!picked.length) return setProblem(t.downloads.noShotPicked);
              const ordered = shots.filter((shot) => picked.includes(shot.id)).map((shot) => shot.id);
              ask({ kind: "shots", shots: ordered, mode: "fast" }, t.account.unexpected);
            }}>
              <fieldset>
                <legend>{t.downloads.shotsTitle}</legend>
                <ul className="pick-shots">
                  {shots.map((shot) => (
                    <li key={shot.id}>
                      <input id={`shot-${shot.id}`} type="checkbox" checked={picked.includes(shot.id)} onChange={(event) => toggle(shot.id, event.target.checked)} />
                      <label htmlFor={`shot-${shot.id}`}>
                        {t.downloads.pickShot(shot.number)} <span className="timecode">{shot.in_point} – {shot.out_point}</span>
                      </label>
                    </li>
                  ))}
                </ul>
                <button type="submit" disabled={busy}>{t.downloads.shotsButton}</button>
              </fieldset>
            </form>
          )}
          <form onSubmit={(event) => { event.preventDefault(); ask({ kind: "clip", start: asTimecode(start), end: asTimecode(end), mode: "fast" }, t.account.unexpected); }}>
            <fieldset>
              <legend>{t.downloads.clipTitle}</legend>
              {([["clip-start", t.downloads.clipStart, start, setStart], ["clip-end", t.downloads.clipEnd, end, setEnd]] as const).map(([id, label, value, set]) => (
                <div className="inout" key={id}>
                  <label htmlFor={id}>{label}</label>
                  <input id={id} value={value} required placeholder="00:00:00.000" aria-describedby="timecode-hint" onChange={(event) => set(event.target.value)} />
                  <button type="button" className="secondary" onClick={() => set(playerTime() ?? value)} aria-label={t.downloads.fromPlayerFor(label)}>{t.downloads.fromPlayer}</button>
                </div>
              ))}
              <p id="timecode-hint" className="meta">{t.downloads.timecodeHint}</p>
              <button type="submit" disabled={busy}>{t.downloads.clipButton}</button>
            </fieldset>
          </form>
          {job && <Progress job={job} locale={locale} />}
          {job?.status === "expired" && <p role="alert">{t.downloads.expired}</p>}
          {problem && <div role="alert"><p className="errors">{problem}</p></div>}
          {link && <Result link={link} job={job} locale={locale} />}
        </>
      )}
    </section>
  );
}
