// An Uppy uploader for masters on S3: the CMS (videos/multipart.py) creates the multipart upload, signs each
// part, lists the parts held and completes; the browser PUTs the parts straight to the bucket.
//
// Hand-written rather than @uppy/aws-s3: its version 6 dropped the custom multipart functions (createMultipartUpload,
// signPart, listParts, completeMultipartUpload) and only asks for presigned URLs (`signRequest`) through which the
// browser itself creates and completes the upload with S3. The CMS would then learn of an upload only after the
// fact: it could not check the editor, the size and the type before the first byte, nor the parts on completion,
// nor queue the ingest. This plugin keeps that plugin's behaviour (parts in order per file, pause/resume, retry,
// resume state kept in the file for GoldenRetriever) on the CMS's own endpoints.
import { BasePlugin, EventManager } from "@uppy/core";
import { filterFilesToEmitUploadStarted, filterFilesToUpload } from "@uppy/core/utils";

const S3_MAX_PARTS = 10000;
const REMEMBERED = "video-masters-s3:"; // localStorage: file fingerprint -> CMS upload id (the same file picked again)

class RequestError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const abortError = () => new DOMException("Aborted", "AbortError");

function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(abortError())), { once: true });
  });
}

// A dropped connection or a server error is worth another attempt; a refusal (4xx) is not.
const retryable = (error) => error.name !== "AbortError" && !(error.status >= 400 && error.status < 500);

function putPart(url, blob, signal, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      const etag = xhr.getResponseHeader("ETag");
      if (xhr.status >= 200 && xhr.status < 300 && etag) resolve(etag);
      else if (xhr.status < 300) reject(new RequestError("The bucket answered without an ETag (its CORS rules must expose it).", 500));
      else reject(new RequestError(`${xhr.status} ${xhr.statusText}`, xhr.status));
    };
    xhr.onerror = () => reject(new RequestError("The connection to the bucket dropped.", 0));
    signal.addEventListener("abort", () => (xhr.abort(), reject(abortError())), { once: true });
    xhr.send(blob);
  });
}

class MasterUpload {
  constructor(plugin, file) {
    this.plugin = plugin;
    this.uppy = plugin.uppy;
    this.file = file;
    this.controller = null;
    this.cancelled = false; // removed or cancelled by the editor: what is still being created is aborted
    const size = file.data.size;
    this.partSize = Math.max(plugin.opts.chunkSize, Math.ceil(size / S3_MAX_PARTS));
    this.partCount = Math.max(1, Math.ceil(size / this.partSize));
    this.sent = new Array(this.partCount).fill(0); // bytes of each part the bucket holds or is receiving
    this.finished = new Promise((resolve) => (this.settle = resolve));
    const events = (this.events = new EventManager(this.uppy));
    events.onFilePause(file.id, (paused) => (paused ? this.pause() : this.start()));
    events.onPauseAll(file.id, () => this.pause());
    events.onResumeAll(file.id, () => this.start());
    events.onRetry(file.id, () => this.start());
    events.onRetryAll(file.id, () => this.start());
    events.onFileRemove(file.id, () => this.cancel());
    events.onCancelAll(file.id, () => this.cancel());
  }

  get fingerprint() {
    const { name, size, lastModified } = this.file.data;
    return `${REMEMBERED}${this.plugin.opts.endpoint}:${name}:${size}:${lastModified}`;
  }

  // The CMS upload this file continues: its state (restored by GoldenRetriever) or the same file picked before.
  get uploadId() {
    return this.uppy.getFile(this.file.id)?.cmsS3?.id ?? localStorage.getItem(this.fingerprint);
  }

  set uploadId(id) {
    if (id) localStorage.setItem(this.fingerprint, id);
    else localStorage.removeItem(this.fingerprint);
    if (this.uppy.getFile(this.file.id)) this.uppy.setFileState(this.file.id, { cmsS3: id ? { id } : undefined });
  }

  start() {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    this.run(controller.signal).then(
      (result) => this.succeed(result),
      (error) => {
        if (error.name === "AbortError") return; // paused or removed: not a failure
        this.events.remove();
        this.uppy.emit("upload-error", this.file, error);
        this.settle();
      },
    );
    return this.finished;
  }

  pause() {
    this.controller?.abort();
  }

  cancel() {
    this.cancelled = true;
    this.controller?.abort();
    this.events.remove();
    const id = this.uploadId;
    this.uploadId = null;
    if (id) this.plugin.call("DELETE", id).catch((error) => this.uppy.log(error, "warning"));
    this.settle();
  }

  succeed(result) {
    this.events.remove();
    this.uploadId = null;
    this.uppy.emit("upload-success", this.file, { status: 200, body: result, uploadURL: result.location });
    this.settle();
  }

  progress() {
    this.uppy.emit("upload-progress", this.uppy.getFile(this.file.id) ?? this.file, {
      uploadStarted: this.file.progress.uploadStarted ?? Date.now(),
      bytesUploaded: this.sent.reduce((sum, bytes) => sum + bytes, 0),
      bytesTotal: this.file.data.size,
    });
  }

  async begin(signal) {
    const id = this.uploadId;
    if (id) {
      try {
        const { parts } = await this.plugin.call("GET", id, undefined, signal);
        return { id, parts };
      } catch (error) {
        if (error.status !== 404 && error.status !== 403) throw error;
        this.uploadId = null; // expired or aborted meanwhile: start over
      }
    }
    // Without the signal: a creation the editor cancels is still answered, so that it can be aborted. Dropping
    // the answer would leave the CMS's video and the bucket's multipart upload behind until they expire.
    const created = await this.plugin.call("POST", "", {
      filename: this.file.name,
      size: this.file.data.size,
      title: this.file.meta.name || this.file.name,
    });
    if (this.cancelled) {
      await this.plugin.call("DELETE", created.id).catch((error) => this.uppy.log(error, "warning"));
      throw abortError();
    }
    this.uploadId = created.id;
    return { id: created.id, parts: [] };
  }

  async run(signal) {
    const { id, parts: held } = await this.plugin.retrying(signal, () => this.begin(signal));
    const etags = new Map();
    for (const part of held) {
      const index = part.PartNumber - 1;
      if (index < this.partCount && part.Size === this.partBytes(index)) {
        etags.set(part.PartNumber, part.ETag);
        this.sent[index] = part.Size;
      }
    }
    this.progress();
    for (let index = 0; index < this.partCount; index++) {
      const number = index + 1;
      if (etags.has(number)) continue;
      const start = index * this.partSize;
      const blob = this.file.data.slice(start, start + this.partBytes(index));
      const etag = await this.plugin.retrying(signal, async () => {
        this.sent[index] = 0;
        const { url } = await this.plugin.call("GET", `${id}/parts/${number}`, undefined, signal);
        return putPart(url, blob, signal, (bytes) => ((this.sent[index] = bytes), this.progress()));
      });
      etags.set(number, etag);
      this.sent[index] = blob.size;
      this.progress();
    }
    const parts = [...etags].map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
    return this.plugin.retrying(signal, () => this.plugin.call("POST", `${id}/complete`, { parts }, signal));
  }

  partBytes(index) {
    return Math.min(this.partSize, this.file.data.size - index * this.partSize);
  }
}

export default class CmsS3 extends BasePlugin {
  constructor(uppy, opts) {
    super(uppy, { limit: 3, retryDelays: [0, 1000, 3000, 5000, 10000, 20000], ...opts });
    this.type = "uploader";
    this.id = this.opts.id || "CmsS3";
    this.upload = this.upload.bind(this);
  }

  install() {
    const { capabilities } = this.uppy.getState();
    this.uppy.setState({ capabilities: { ...capabilities, resumableUploads: true } });
    this.uppy.addUploader(this.upload);
  }

  uninstall() {
    this.uppy.removeUploader(this.upload);
  }

  async call(method, path, body, signal) {
    const response = await fetch(`${this.opts.endpoint}${path}`, {
      method,
      signal,
      credentials: "same-origin",
      headers: { "X-CSRFToken": this.opts.csrfToken, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((error) => {
      throw error.name === "AbortError" ? error : new RequestError("The connection to the CMS dropped.", 0);
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new RequestError(data.detail || `${response.status} ${response.statusText}`, response.status);
    return data;
  }

  async retrying(signal, attempt) {
    const delays = this.opts.retryDelays;
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!retryable(error) || tries >= delays.length) throw error;
        this.uppy.log(`[CmsS3] ${error.message}; trying again in ${delays[tries]} ms`, "warning");
        await wait(delays[tries], signal);
      }
    }
  }

  async upload(fileIDs) {
    const files = filterFilesToUpload(this.uppy.getFilesByIds(fileIDs));
    this.uppy.emit("upload-start", filterFilesToEmitUploadStarted(files));
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const current = this.uppy.getFile(file.id);
        if (current) await new MasterUpload(this, current).start();
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.limit, files.length) }, worker));
  }
}
