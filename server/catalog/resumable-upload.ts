// Resumable courseware uploads (tus 1.0 at /api/uploads/): the console sends a file in chunks; a dropped link, a
// closed lid or a server restart resumes from the last byte the server holds. The finished file goes through
// ingestCourseware, the same path as the multipart route (POST /api/programs, which stays for scripts).
// Metadata per upload (tus Upload-Metadata): `filename` plus the catalog fields normalizeProgramFields accepts.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Server, type Upload } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { AppError, badRequest } from '../errors.ts';
import { locateTools } from '../media/tools.ts';
import { incomingPath, ingestCourseware } from './ingest.ts';
import { normalizeProgramFields } from './metadata.ts';
import { getProgram } from './repo.ts';

export const UPLOADS_PATH = '/api/uploads';
/** A partial upload untouched this long is removed by the periodic cleanup. */
export const UPLOAD_EXPIRY_MS = 24 * 3600_000;
const CLEANUP_EVERY_MS = 3600_000;

/** Where partial uploads live: on the media store's filesystem, so handing a finished one to ingest is a rename. */
export const uploadsDir = (config: { mediaDir: string }) => path.join(config.mediaDir, 'uploads');

/** tus Upload-Metadata minus the file name: the program's catalog fields, checked before any byte is sent. */
export function fieldsOf(metadata: Upload['metadata']): { filename: string; fields: Record<string, string> } {
  const { filename, filetype: _type, ...rest } = metadata ?? {};
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined) fields[k] = v;
  const name = path.basename(filename ?? '');
  if (!name) throw badRequest('Send the file name in the Upload-Metadata "filename" entry.', 'missing_filename');
  return { filename: name, fields };
}

/** Our error body, as tus hooks must throw it to send it. */
function tusError(err: unknown): unknown {
  if (err instanceof AppError)
    return { status_code: err.statusCode, body: JSON.stringify({ error: { code: err.code, message: err.message } }) };
  return err;
}

export interface ResumableUploadOptions {
  expiryMs?: number;
}

export default async function resumableUpload(app: FastifyInstance, opts: ResumableUploadOptions = {}) {
  const { db, config } = app;
  const tools = locateTools(config);
  const store = new FileStore({ directory: uploadsDir(config), expirationPeriodInMilliseconds: opts.expiryMs ?? UPLOAD_EXPIRY_MS });
  const tus = new Server({
    path: UPLOADS_PATH,
    datastore: store,
    maxSize: config.maxUploadBytes,
    relativeLocation: true,
    respectForwardedHeaders: true,
    async onUploadCreate(_req, upload) {
      try {
        normalizeProgramFields(fieldsOf(upload.metadata).fields); // a typo is refused before gigabytes flow
      } catch (err) {
        throw tusError(err);
      }
      return {};
    },
    async onUploadFinish(_req, upload) {
      try {
        const { filename, fields } = fieldsOf(upload.metadata);
        const held = upload.storage?.path ?? path.join(uploadsDir(config), upload.id);
        if (fs.statSync(held).size === 0)
          throw badRequest(`${filename} is empty (0 bytes): choose the file again and re-send it.`, 'empty_file');
        const file = incomingPath(config, filename);
        fs.renameSync(held, file);
        await store.configstore.delete(upload.id); // the bytes moved on; the upload's record goes too
        const id = await ingestCourseware({ db, config, tools }, { file, originalName: filename, fields: normalizeProgramFields(fields) });
        app.log.info({ programId: id, file: filename, upload: upload.id }, 'courseware uploaded (resumable)');
        return { status_code: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(getProgram(db, id)) };
      } catch (err) {
        if (!(err instanceof AppError)) app.log.error({ err, upload: upload.id }, 'resumable upload could not be ingested');
        await store.remove(upload.id).catch(() => undefined);
        throw tusError(
          err instanceof AppError
            ? err
            : new AppError(500, 'internal', 'The file arrived but could not be taken in; the operator log has details.'),
        );
      }
    },
  });

  // tus reads the request body itself: leave it unparsed.
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  const handle = { onRequest: app.auth.operator, schema: { hide: true } };
  for (const url of [UPLOADS_PATH, `${UPLOADS_PATH}/*`]) {
    app.route({
      method: ['POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS'],
      url,
      ...handle,
      handler: async (req, reply) => {
        reply.hijack();
        await tus.handle(req.raw, reply.raw);
      },
    });
  }

  const cleanup = setInterval(() => {
    tus
      .cleanUpExpiredUploads()
      .then((n) => n && app.log.info({ removed: n }, 'expired partial uploads removed'))
      .catch((err) => app.log.warn({ err }, 'cleaning expired uploads failed'));
  }, CLEANUP_EVERY_MS);
  cleanup.unref();
  app.addHook('onClose', async () => clearInterval(cleanup));
}
