// Receiving a multipart upload: the `file` part is streamed to a temp file on disk (never held in
// memory), with the size limit enforced while streaming; text parts are collected as metadata fields.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart'; // the request.parts() / isMultipart() typings
import type { FastifyRequest } from 'fastify';
import { badRequest, tooLarge } from '../errors.ts';

export interface ReceivedUpload {
  /** The temp file holding the upload; the caller moves it away or removes it. */
  tmpPath: string;
  originalName: string;
  fields: Record<string, string>;
}

/** Room for the multipart framing and text fields on top of the file itself, when judging Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

const formatBytes = (n: number) =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${n} bytes`;

const overLimitMessage = (maxBytes: number) =>
  `The file is larger than the upload limit of ${formatBytes(maxBytes)} (MAX_UPLOAD_BYTES). ` +
  'Compress it, split it, or import it from a drive with `npm run import`.';

/** Refuses, before reading a byte, a request whose declared size cannot fit the limit. */
export function checkDeclaredSize(req: FastifyRequest, maxBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(overLimitMessage(maxBytes));
}

/**
 * Reads every part of the request. The temp file is removed here on any failure (too large, aborted,
 * malformed); on success the caller owns it.
 */
export async function receiveUpload(
  req: FastifyRequest,
  tmpDir: string,
  maxBytes: number,
  /** Called with the fields sent before the file, as the file starts: refuse bad metadata before gigabytes flow. */
  checkEarlyFields?: (fields: Record<string, string>) => void,
): Promise<ReceivedUpload> {
  if (!req.isMultipart())
    throw badRequest(
      'Send the courseware as multipart/form-data with the file in a part named "file" (and text fields beside it).',
      'not_multipart',
    );
  fs.mkdirSync(tmpDir, { recursive: true });
  const fields: Record<string, string> = {};
  let tmpPath: string | undefined;
  let originalName = '';
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 50, fieldSize: 64 * 1024 } })) {
      if (part.type === 'field') {
        if (part.fieldnameTruncated || part.valueTruncated) throw badRequest(`Field "${part.fieldname}" is too long.`);
        fields[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || tmpPath) {
        part.file.resume();
        if (tmpPath) throw badRequest('Send one file per upload.');
        throw badRequest(`Unexpected file part "${part.fieldname}": put the courseware in a part named "file".`);
      }
      checkEarlyFields?.(fields);
      originalName = path.basename(part.filename || 'upload');
      const ext = path.extname(originalName).toLowerCase();
      // Keep the extension: ffprobe uses it as a hint for formats with weak signatures (.dat, .vob).
      tmpPath = path.join(tmpDir, `upload-${randomUUID()}${/^\.[a-z0-9]{1,5}$/.test(ext) ? ext : ''}`);
      await pipeline(part.file, fs.createWriteStream(tmpPath, { flags: 'wx' }));
      if (part.file.truncated) throw tooLarge(overLimitMessage(maxBytes));
    }
  } catch (err) {
    if (tmpPath) fs.rmSync(tmpPath, { force: true });
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(overLimitMessage(maxBytes));
    if (code === 'FST_FILES_LIMIT') throw badRequest('Send one file per upload.');
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') throw badRequest('Too many form fields.');
    throw err;
  }
  if (!tmpPath) throw badRequest('The upload has no file: put the courseware in a multipart part named "file".', 'missing_file');
  return { tmpPath, originalName, fields };
}
