// The admin's uploader of video masters (videos/upload_views.py renders the page and its JSON config).
// Uppy does the work: Dashboard (drag and drop, progress, speed, time left, pause/resume), Tus on the file
// system or our CmsS3 on a bucket (pieces retried on failure), GoldenRetriever (the queue survives closing the
// tab). This file only wires them to the CMS's endpoints and shows the videos the uploads made, with their state.
import Uppy from "@uppy/core";
import Dashboard from "@uppy/dashboard";
import Tus from "@uppy/tus";
import GoldenRetriever from "@uppy/golden-retriever";
import CmsS3 from "./cms-s3.js";
import French from "@uppy/locales/lib/fr_FR.js";
import "@uppy/core/css/style.min.css";
import "@uppy/dashboard/css/style.min.css";

const config = JSON.parse(document.getElementById("video-uploader-config").textContent);
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
const POLL_MS = 2000;
const tusVideos = new Map(); // tus upload URL -> Video id (the server names it in a Video-Id header)

const uppy = new Uppy({
  id: "video-masters",
  locale: config.locale === "fr" ? French : undefined,
  restrictions: { maxFileSize: config.maxFileSize, allowedFileTypes: config.allowedFileTypes },
});

uppy.use(Dashboard, {
  inline: true,
  target: "#video-uploader",
  width: "100%",
  height: 420,
  note: config.strings.note,
  showProgressDetails: true,
  proudlyDisplayPoweredByUppy: false,
});
uppy.use(GoldenRetriever);

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "X-CSRFToken": config.csrfToken, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || `${response.status} ${response.statusText}`);
  return data;
}

if (config.protocol === "s3") {
  uppy.use(CmsS3, {
    endpoint: config.endpoint,
    chunkSize: config.chunkSize,
    csrfToken: config.csrfToken,
    retryDelays: RETRY_DELAYS,
  });
} else {
  uppy.use(Tus, {
    endpoint: config.endpoint,
    chunkSize: config.chunkSize,
    retryDelays: RETRY_DELAYS,
    headers: { "X-CSRFToken": config.csrfToken },
    removeFingerprintOnSuccess: true,
    onAfterResponse(request, response) {
      const video = response.getHeader("Video-Id");
      if (!video) return;
      const url = request.getMethod() === "POST" ? response.getHeader("Location") : request.getURL();
      tusVideos.set(url, Number(video));
    },
  });
}

const section = document.querySelector(".video-uploader-results");
const list = document.getElementById("video-uploader-results");
const rows = new Map(); // Video id -> <li>

function row(id) {
  if (!rows.has(id)) {
    const item = document.createElement("li");
    item.dataset.video = String(id);
    item.innerHTML = '<a class="video-uploader-title"></a> <span class="w-status video-uploader-state"></span>';
    item.querySelector(".video-uploader-state").textContent = config.strings.waiting;
    list.append(item);
    rows.set(id, item);
    section.hidden = false;
  }
  return rows.get(id);
}

let polling = null;
async function poll() {
  const pending = [...rows.entries()].filter(([, item]) => !["ready", "failed"].includes(item.dataset.state));
  if (pending.length === 0) {
    polling = null;
    return;
  }
  try {
    const query = pending.map(([id]) => `video=${id}`).join("&");
    const { videos: states } = await call("GET", `${config.statesUrl}?${query}`);
    for (const video of states) {
      const item = row(video.id);
      const link = item.querySelector(".video-uploader-title");
      link.textContent = video.title;
      link.href = video.editUrl;
      item.dataset.state = video.state;
      item.querySelector(".video-uploader-state").textContent = video.label;
    }
  } finally {
    polling = setTimeout(poll, POLL_MS);
  }
}

uppy.on("upload-success", (file, response) => {
  const id = response.body?.video ?? tusVideos.get(response.uploadURL);
  if (id === undefined) return;
  row(id);
  if (polling === null) poll();
});
