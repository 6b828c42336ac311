// Questionnaire routes: operators write and publish; signed-in users read (organizers: published ones reaching
// their region). HTTP only: the work is in service.ts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  NewQuestionnaire,
  Questionnaire,
  QuestionnaireDeleted,
  QuestionnaireList,
  QuestionnaireListQuery,
  QuestionnairePatch,
} from '../../common/api/questionnaires.ts';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import { createQuestionnaire, listFor, patchQuestionnaire, publish, questionnaireView, readableQuestionnaire, remove } from './service.ts';

/** A questionnaire of 30 questions of 9 options of 200 characters (4-byte UTF-8) is about 250 KB. */
const QUESTIONNAIRE_BODY_LIMIT = 300 * 1024;

export default async function questionnaireRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;
  const refusals = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
  const tags = ['questionnaires'];

  app.post(
    '/api/questionnaires',
    {
      onRequest: app.auth.operator,
      bodyLimit: QUESTIONNAIRE_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Write a survey or a quiz (operator); it stays a draft until published',
        body: NewQuestionnaire,
        response: { 201: Questionnaire, ...refusals },
      },
    },
    async (req, reply) => reply.code(201).send(createQuestionnaire(db, req.body, new Date())),
  );

  app.get(
    '/api/questionnaires',
    {
      onRequest: app.auth.user,
      schema: {
        tags,
        summary: 'Questionnaires, newest first (organizers: published ones reaching their region)',
        querystring: QuestionnaireListQuery,
        response: { 200: QuestionnaireList, ...refusals },
      },
    },
    async (req) => listFor(db, req.user!, req.query),
  );

  app.get(
    '/api/questionnaires/:id',
    {
      onRequest: app.auth.user,
      schema: { tags, summary: 'One questionnaire', params: IdParams, response: { 200: Questionnaire, ...refusals } },
    },
    async (req) => questionnaireView(db, readableQuestionnaire(db, req.user!, req.params.id)),
  );

  app.patch(
    '/api/questionnaires/:id',
    {
      onRequest: app.auth.operator,
      bodyLimit: QUESTIONNAIRE_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Change a questionnaire (operator); once answered only title, regions, window and pass mark',
        params: IdParams,
        body: QuestionnairePatch,
        response: { 200: Questionnaire, ...refusals },
      },
    },
    async (req) => patchQuestionnaire(db, req.params.id, req.body, new Date()),
  );

  app.delete(
    '/api/questionnaires/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: 'Delete a questionnaire without answers (operator)',
        params: IdParams,
        response: { 204: QuestionnaireDeleted, ...refusals },
      },
    },
    async (req, reply) => {
      remove(db, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/questionnaires/:id/publish',
    {
      onRequest: app.auth.operator,
      bodyLimit: 1024,
      schema: {
        tags,
        summary: 'Publish (operator): sites in its reach get it with their next manifest',
        params: IdParams,
        response: { 200: Questionnaire, ...refusals },
      },
    },
    async (req) => publish(db, req.params.id, new Date()),
  );
}
