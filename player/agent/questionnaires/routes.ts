// The local routes the kiosk calls for questionnaires and quizzes (127.0.0.1 only, like attendance). An answer is
// checked against the questionnaire it answers (unknown question, option out of range, a count of hands above the
// headcount, outside the window: 4xx saying what to fix), stamped with the agent's clock and written to the
// durable queue before the kiosk hears "saved". A retry with the same id is answered from the queue, never twice.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { MEMBER_NO_RE } from '../../../common/attendance.ts';
import {
  AnswersState,
  ErrorBody,
  LocalAnswerAck,
  LocalAnswerBody,
  LocalQuestionnaires,
  type LocalQuestionnaire,
} from '../../../common/local-api.ts';
import { answerProblem, quizScore, type AnswerProblemCode } from '../../../common/questionnaire-rules.ts';
import { localErrorHandler, normaliseMemberNo } from '../attendance/routes.ts';
import type { UploadStatus } from '../attendance/uploader.ts';
import type { AnswerQueue, SiteAnswer } from './queue.ts';

export interface QuestionnaireRoutesDeps {
  queue: AnswerQueue;
  clock: () => number;
  /** The questionnaires that reached the site, as of `now`. */
  questionnaires: (now: number) => LocalQuestionnaire[];
  /** Called after an answer was queued, so it goes up soon. */
  onQueued: () => void;
  uploadStatus: () => UploadStatus;
}

/** Outside the window is a conflict with the questionnaire's state; everything else is a request to fix. */
const statusOf = (code: AnswerProblemCode): 400 | 409 => (code === 'outside_window' ? 409 : 400);

export function questionnaireRoutes(deps: QuestionnaireRoutesDeps) {
  return async function questionnaireLocalRoutes(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.setErrorHandler(localErrorHandler('questionnaires'));

    app.get(
      '/local/questionnaires',
      {
        schema: {
          tags: ['questionnaires (local)'],
          summary: 'Surveys and quizzes that reached this site, with whether each takes answers now',
          response: { 200: LocalQuestionnaires },
        },
      },
      async () => deps.questionnaires(deps.clock()),
    );

    app.post(
      '/local/answers',
      {
        bodyLimit: 256 * 1024,
        schema: {
          tags: ['questionnaires (local)'],
          summary: "One member's or the room's answers to a questionnaire; queued for the server, idempotent by id",
          body: LocalAnswerBody,
          response: { 200: LocalAnswerAck, 201: LocalAnswerAck, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => {
        const now = deps.clock();
        const body = req.body;
        const q = deps.questionnaires(now).find((x) => x.id === body.questionnaireId);
        if (!q) {
          const message = `Questionnaire ${body.questionnaireId} has not reached this site (wait for the next sync, or check the id).`;
          return reply.code(404).send({ error: { code: 'unknown_questionnaire', message } });
        }
        const memberNo = body.memberNo === undefined ? undefined : normaliseMemberNo(body.memberNo);
        if (memberNo !== undefined && !MEMBER_NO_RE.test(memberNo)) {
          const message = 'A member number is 1-64 letters, digits or . _ - /, as printed on the member card.';
          return reply.code(400).send({ error: { code: 'bad_member', message } });
        }
        const answer: SiteAnswer = {
          id: body.id,
          questionnaireId: q.id,
          answeredAt: now,
          ...(memberNo !== undefined && { memberNo }),
          ...(body.room && { room: body.room }),
          responses: body.responses,
        };
        const score = memberNo !== undefined ? quizScore(q, body.responses) : null;
        // A retry of an answer already taken is acknowledged as it stands, even if the window closed since.
        const known = deps.queue.answeredAt(body.id);
        if (known !== null) return reply.code(200).send({ id: body.id, queued: false, answeredAt: known, score });
        const problem = answerProblem(q, answer, now);
        if (problem) return reply.code(statusOf(problem.code)).send({ error: { code: problem.code, message: problem.message } });
        const taken = deps.queue.add(answer);
        req.log.info({ id: answer.id, questionnaireId: q.id, room: !!answer.room }, 'questionnaire: answer queued for the server');
        if (taken.queued) deps.onQueued();
        return reply.code(taken.queued ? 201 : 200).send({ id: body.id, queued: taken.queued, answeredAt: taken.answeredAt, score });
      },
    );

    app.get(
      '/local/answers',
      {
        schema: {
          tags: ['questionnaires (local)'],
          summary: 'Answers waiting for the server, delivered and refused, and the upload state',
          response: { 200: AnswersState },
        },
      },
      async () => {
        const s = deps.uploadStatus();
        return {
          ...deps.queue.counts(),
          upload: {
            failures: s.failures,
            nextAttemptAt: s.nextAttemptAt,
            lastError: s.lastError,
            lastSuccessAt: s.lastSuccessAt,
            retryAfterMs: s.retryAfterMs,
          },
          rejectedItems: deps.queue.rejectedItems(20),
        };
      },
    );
  };
}
