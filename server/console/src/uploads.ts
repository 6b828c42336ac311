// Resumable uploads (tus) of courseware: several files at once, each with its catalog fields, progress, speed and
// time left. tus-js-client remembers each file's upload URL in localStorage, so after a dropped link, a closed lid or
// a server restart the same file resumes from the last byte the server holds.
import { reactive } from 'vue';
import { Upload } from 'tus-js-client';
import { authHeaders } from './api/client.ts';
import type { Program } from './api/types.ts';

/** Chunks of 8 MB: no single request runs for minutes, and a cut costs at most one chunk's progress in flight. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface UploadFields {
  title: string;
  category: string;
  audiences: string[];
  series: string;
  lecturer: string;
  published: boolean;
}

export type UploadState = 'waiting' | 'uploading' | 'paused' | 'retrying' | 'done' | 'failed';

export interface UploadEntry {
  key: number;
  file: File;
  fields: UploadFields;
  state: UploadState;
  sent: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  speed: number;
  secondsLeft: number | null;
  error: string | null;
  program: Program | null;
  tus: Upload | null;
}

let nextKey = 1;
export const uploads = reactive<UploadEntry[]>([]);

export function titleFromFileName(name: string): string {
  return (
    name
      .replace(/\.[^.]+$/, '')
      .replace(/[_]+/g, ' ')
      .trim() || name
  );
}

export function addFiles(files: Iterable<File>): void {
  for (const file of files) {
    uploads.push({
      key: nextKey++,
      file,
      state: 'waiting',
      sent: 0,
      total: file.size,
      speed: 0,
      secondsLeft: null,
      error: null,
      program: null,
      tus: null,
      fields: { title: titleFromFileName(file.name), category: '', audiences: [], series: '', lecturer: '', published: false },
    });
  }
}

function metadataOf(e: UploadEntry): Record<string, string> {
  const m: Record<string, string> = {
    filename: e.file.name,
    filetype: e.file.type || 'application/octet-stream',
    title: e.fields.title.trim(),
  };
  if (e.fields.category) m.category = e.fields.category;
  if (e.fields.audiences.length) m.audiences = e.fields.audiences.join(',');
  if (e.fields.series.trim()) m.series = e.fields.series.trim();
  if (e.fields.lecturer.trim()) m.lecturer = e.fields.lecturer.trim();
  m.published = e.fields.published ? 'true' : 'false'; // explicit: a new upload stays unpublished until checked
  return m;
}

function apiMessage(err: Error & { originalResponse?: { getBody(): string; getStatus(): number } | null }): string {
  const body = err.originalResponse?.getBody();
  if (body) {
    try {
      const parsed = JSON.parse(body) as { error?: { message?: string } };
      if (parsed.error?.message) return parsed.error.message;
    } catch {
      return body.trim();
    }
  }
  return err.message;
}

export function start(e: UploadEntry, onDone: (p: Program) => void): void {
  if (e.state === 'uploading' || e.state === 'done') return;
  const entry = uploads.find((u) => u.key === e.key) ?? e; // the reactive proxy
  const samples: Array<{ at: number; sent: number }> = [];
  entry.error = null;
  entry.state = 'uploading';
  const tus = new Upload(entry.file, {
    endpoint: '/api/uploads/',
    chunkSize: CHUNK_BYTES,
    // Retries after a dropped link or a restarting server; each retry asks the server where it stopped (HEAD).
    retryDelays: [0, 1000, 2000, 3000, 5000, 8000, 13000, 21000, 30000, 30000, 30000, 60000],
    metadata: metadataOf(entry),
    headers: authHeaders(),
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    onShouldRetry(err) {
      const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse?.getStatus() ?? 0;
      if (status >= 400 && status < 500 && status !== 409 && status !== 423 && status !== 429) return false;
      entry.state = 'retrying';
      return true;
    },
    onProgress(sent, total) {
      entry.state = 'uploading';
      entry.sent = sent;
      entry.total = total;
      const now = performance.now();
      samples.push({ at: now, sent });
      while (samples.length > 2 && now - samples[0].at > 5000) samples.shift();
      const first = samples[0];
      const dt = (now - first.at) / 1000;
      entry.speed = dt > 0.2 ? (sent - first.sent) / dt : 0;
      entry.secondsLeft = entry.speed > 0 ? (total - sent) / entry.speed : null;
    },
    onSuccess(payload) {
      entry.state = 'done';
      entry.sent = entry.total;
      entry.secondsLeft = 0;
      try {
        entry.program = JSON.parse(payload.lastResponse.getBody()) as Program;
        onDone(entry.program);
      } catch {
        entry.program = null;
      }
    },
    onError(err) {
      entry.state = 'failed';
      entry.error = apiMessage(err as Error & { originalResponse?: { getBody(): string; getStatus(): number } | null });
    },
  });
  entry.tus = tus;
  void tus.findPreviousUploads().then((previous) => {
    if (previous.length) tus.resumeFromPreviousUpload(previous[0]);
    tus.start();
  });
}

export function pause(e: UploadEntry): void {
  const entry = uploads.find((u) => u.key === e.key);
  if (!entry?.tus || entry.state === 'done') return;
  void entry.tus.abort();
  entry.state = 'paused';
  entry.speed = 0;
  entry.secondsLeft = null;
}

export function remove(e: UploadEntry): void {
  const i = uploads.findIndex((u) => u.key === e.key);
  if (i < 0) return;
  const entry = uploads[i];
  if (entry.tus && entry.state !== 'done') void entry.tus.abort(true).catch(() => undefined);
  uploads.splice(i, 1);
}
