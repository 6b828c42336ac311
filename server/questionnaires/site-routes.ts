// What sites send with their token: answers to questionnaires and quizzes, stored exactly once by (site, id).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AnswerBatch, AnswerBatchResult, MAX_ANSWERS_BATCH_BYTES } from '../../common/api/questionnaires.ts';
import { ErrorBody } from '../../common/api/shared.ts';
import { regionAncestorIds } from '../sites/regions.ts';
import { makeAnswerIngest } from './ingest.ts';

export default async function answerRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ingest = makeAnswerIngest(app.db, app.config.provinceTz);

  app.post(
    '/api/sites/me/answers',
    {
      onRequest: app.auth.site,
      bodyLimit: MAX_ANSWERS_BATCH_BYTES,
      schema: {
        tags: ['questionnaires'],
        summary: 'Upload answers to questionnaires and quizzes (site token); stored exactly once by (site, id)',
        description:
          'Up to 500 answers. Ids in `accepted` are held by the server (new or already had): delete exactly those. ' +
          'Ids in `rejected` will never be accepted (the reason says why). Ids in `deferred` were not stored this time: ' +
          'send them again. answeredAt is corrected by (server now - sentAt); an answer made while the questionnaire ' +
          'was open is taken even when it arrives after it closed.',
        body: AnswerBatch,
        response: { 200: AnswerBatchResult, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody },
      },
    },
    async (req) => {
      const site = { id: req.site!.id, pathRegionIds: regionAncestorIds(app.db, req.site!.regionId) };
      const result = ingest(site, req.body, Date.now());
      if (result.rejected.length) req.log.info({ siteId: site.id, rejected: result.rejected.length }, 'answers refused');
      return result;
    },
  );
}
