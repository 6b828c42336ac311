// Fixtures for the questionnaire tests: the attendance region tree (regions 1-6, sites 1-3 with tokens, programs
// 1-3), questionnaires written and published through the API, answers posted with a site token.
import type { FastifyInstance } from 'fastify';
import type { Answer, AnswerBatch, NewQuestionnaire } from '../../../common/api/questionnaires.ts';

export { seedTree } from '../attendance/fixtures.ts';

type Auth = { authorization: string };

export const SURVEY: NewQuestionnaire = {
  kind: 'survey',
  title: '学习需求调查',
  questions: [
    { type: 'single', text: '每周想学几次?', options: ['一次', '两次', '三次'] },
    { type: 'multiple', text: '喜欢的形式', options: ['讲座', '案例', '问答'] },
    { type: 'rating', text: '上次课程满意度' },
    { type: 'topics', text: '最想学的主题', options: ['agriculture-tech', 'laws-regulations', 'party-history'] },
  ],
};

export const QUIZ: NewQuestionnaire = {
  kind: 'quiz',
  title: '乡村振兴（一）测验',
  programId: 1,
  passMark: 60,
  questions: [
    { type: 'single', text: '1+1=?', options: ['1', '2', '3'], correct: [1] },
    { type: 'multiple', text: '哪些是作物?', options: ['水稻', '石头', '小麦'], correct: [0, 2] },
    { type: 'single', text: '2+2=?', options: ['4', '5'], correct: [0] },
  ],
};

export async function createPublished(app: FastifyInstance, auth: Auth, body: NewQuestionnaire): Promise<number> {
  const res = await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload: body });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  const id = res.json().id as number;
  const pub = await app.inject({ method: 'POST', url: `/api/questionnaires/${id}/publish`, headers: auth });
  if (pub.statusCode !== 200) throw new Error(`publish: ${pub.statusCode} ${pub.body}`);
  return id;
}

export async function postAnswers(app: FastifyInstance, token: string, answers: Answer[], sentAt = Date.now()) {
  const payload: AnswerBatch = { sentAt, answers };
  return app.inject({ method: 'POST', url: '/api/sites/me/answers', headers: { authorization: `Bearer ${token}` }, payload });
}

export function memberAnswer(
  id: string,
  questionnaireId: number,
  memberNo: string,
  responses: Answer['responses'],
  answeredAt = Date.now() - 1000,
): Answer {
  return { id, questionnaireId, answeredAt, memberNo, responses };
}

export function roomAnswer(
  id: string,
  questionnaireId: number,
  headcount: number,
  responses: Answer['responses'],
  answeredAt = Date.now() - 1000,
): Answer {
  return { id, questionnaireId, answeredAt, room: { headcount }, responses };
}
