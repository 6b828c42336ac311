// The questionnaires domain: surveys and quizzes written by operators (routes.ts), answers from sites
// (site-routes.ts) and the results, study record and demand reports (report-routes.ts).
import type { FastifyInstance } from 'fastify';
import questionnaireRoutes from './routes.ts';
import answerRoutes from './site-routes.ts';
import reportRoutes from './report-routes.ts';

export default async function questionnairesPlugin(app: FastifyInstance) {
  await app.register(questionnaireRoutes);
  await app.register(answerRoutes);
  await app.register(reportRoutes);
}
