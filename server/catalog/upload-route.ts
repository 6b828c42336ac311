// POST /api/programs: an operator uploads a courseware file (multipart, streamed to disk) with its
// catalog fields; answered 202 once the file is probed, recorded and its transcode queued.
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import fs from 'node:fs';
import { badRequest, errorSchema } from '../errors.ts';
import { locateTools } from '../media/tools.ts';
import { ingestCourseware, incomingDir } from './ingest.ts';
import { normalizeProgramFields } from './metadata.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Program } from '../../common/api/catalog.ts';
import { getProgram } from './repo.ts';
import { checkDeclaredSize, receiveUpload } from './upload.ts';
import type { Viewer } from './viewer.ts';

export default async function uploadRoute(fastify: FastifyInstance, opts: { viewer: Viewer }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app;
  await app.register(multipart);
  const tools = locateTools(config);

  app.post(
    '/api/programs',
    {
      // Before a byte of the body is read; multipart parts are streamed with their own limit (maxUploadBytes).
      onRequest: app.auth.operator,
      // Multipart bodies are not JSON-schema'd (UploadFields in common/api/catalog.ts documents them); normalizeProgramFields checks them.
      schema: {
        tags: ['catalog'],
        summary:
          'Upload courseware (multipart/form-data: part "file" plus text fields title, description, lecturer, category, ' +
          'audiences, series or seriesId, episode, tags, language, published); 202 with the queued program',
        consumes: ['multipart/form-data'],
        response: {
          202: Program,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          413: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (req, reply) => {
      checkDeclaredSize(req, config.maxUploadBytes);
      // Metadata sent before the file is checked as the file starts, so a typo does not cost a long upload.
      const upload = await receiveUpload(req, incomingDir(config), config.maxUploadBytes, (f) => normalizeProgramFields(f));
      let id: number;
      try {
        const fields = normalizeProgramFields(upload.fields);
        if (fs.statSync(upload.tmpPath).size === 0)
          throw badRequest(`${upload.originalName} is empty (0 bytes): choose the file again and re-send it.`, 'empty_file');
        id = await ingestCourseware({ db, config, tools }, { file: upload.tmpPath, originalName: upload.originalName, fields });
      } finally {
        fs.rmSync(upload.tmpPath, { force: true }); // moved away on success; removed on any refusal
      }
      req.log.info({ programId: id, file: upload.originalName, by: req.user!.username }, 'courseware uploaded');
      return reply.status(202).send(getProgram(db, id, opts.viewer.view(req))!);
    },
  );
}
