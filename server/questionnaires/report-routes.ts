// The questionnaire reports, scoped like every report (organizers: their region's subtree only), as JSON, CSV
// (UTF-8 BOM) or printable HTML through the attendance report machinery. HTTP only: data from store.ts and the
// owning domains' modules, figures from reports.ts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  DemandQuery,
  DemandReport,
  QuestionnaireReport,
  QuestionnaireReportQuery,
  QuizMembersPage,
  QuizSitesPage,
  QuizTableQuery,
  StudyQuery,
  StudyReport,
} from '../../common/api/questionnaires.ts';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import type { AuthUser } from '../auth/guards.ts';
import { reportRange, send } from '../attendance/report-routes.ts';
import { resolveScope, type Scope } from '../attendance/scope.ts';
import { daySplit, memberWatchByDay } from '../attendance/report-data.ts';
import { memberProgramWatch, rollOfMembers, rollOfSites } from '../attendance/tables.ts';
import { addDays, provinceDay, rangeMs } from '../attendance/days.ts';
import { programDurations } from '../catalog/repo.ts';
import { requestDemand } from '../sites/requests.ts';
import { pathIds } from '../sites/regions.ts';
import { quizTotalsBySite, countsBySite, memberQuizResults, memberScoreCount, memberScores, topicVotes } from './store.ts';
import { readableQuestionnaire, readableQuiz } from './service.ts';
import {
  buildQuestionnaireReport,
  buildStudy,
  buildTopicDemand,
  questionnaireTable,
  quizMemberResults,
  quizSiteResults,
  siteTotals,
  studyTable,
} from './reports.ts';

const refusals = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const TEXT_FORMATS = 'format=csv answers a CSV file (UTF-8 with BOM), format=html a printable page with bar charts.';

const scopeName = (scope: Scope) => (scope.root ? `${scope.root.name} (${scope.root.level} ${scope.root.id})` : 'all regions / 全部');
const siteIdsOf = (scope: Scope) => (scope.root ? scope.sites.map((s) => s.id) : null);

export default async function questionnaireReportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;
  const tz = app.config.provinceTz;
  /** One read transaction per report: one consistent snapshot while answers keep arriving. */
  const snapshot = <T>(fn: () => T): T => db.transaction(fn)();

  app.get(
    '/api/reports/questionnaires/:id',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary: 'Results of a questionnaire: per question and option, by region; a quiz adds pass rates per site and scores',
        description: `${TEXT_FORMATS} list=sites or list=members picks a quiz's other tables.`,
        params: IdParams,
        querystring: QuestionnaireReportQuery,
        response: { 200: QuestionnaireReport, ...refusals },
      },
    },
    async (req, reply) => {
      const now = Date.now();
      const q = readableQuestionnaire(db, req.user!, req.params.id);
      const scope = resolveScope(db, req.user!, req.query.regionId);
      const siteIds = siteIdsOf(scope);
      const data = snapshot(() => ({
        counts: countsBySite(db, q.id, siteIds),
        quizTotals: q.kind === 'quiz' ? quizTotalsBySite(db, q.id, siteIds) : [],
        scores: q.kind === 'quiz' ? memberScores(db, q.id, siteIds) : [],
        roll: q.kind === 'quiz' ? rollOfSites(db, siteIds) : [],
      }));
      const report = buildQuestionnaireReport({
        // Shown by the regions one level under the root; for the whole province, under the top-level region.
        q,
        rootId: scope.root?.id ?? null,
        rootDepth: scope.root ? pathIds(scope.root.path).length : 1,
        sites: scope.sites,
        regions: scope.regions,
        now,
        ...data,
      });
      const day = provinceDay(now, tz);
      const table = () => questionnaireTable(report, req.query.list ?? 'questions', scopeName(scope));
      return send(reply, req.query.format, report, table, `questionnaire-${q.id}`, { from: day, to: day });
    },
  );

  /** A quiz table request: the quiz (readable by this user), the scope's sites, and the rows the page covers. */
  const quizTable = (user: AuthUser, id: number, query: QuizTableQuery) => {
    const q = readableQuiz(db, user, id);
    const scope = resolveScope(db, user, query.regionId);
    const page = query.page ?? 1,
      pageSize = query.pageSize ?? 50;
    return { q, scope, siteIds: siteIdsOf(scope), page, pageSize, offset: (page - 1) * pageSize };
  };

  app.get(
    '/api/reports/questionnaires/:id/sites',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary: "A quiz's pass rate per site, a page at a time (by site id); the whole table is format=csv&list=sites",
        params: IdParams,
        querystring: QuizTableQuery,
        response: { 200: QuizSitesPage, ...refusals },
      },
    },
    async (req) => {
      const { q, scope, siteIds, page, pageSize, offset } = quizTable(req.user!, req.params.id, req.query);
      const data = snapshot(() => ({ counts: countsBySite(db, q.id, siteIds), quizTotals: quizTotalsBySite(db, q.id, siteIds) }));
      const all = quizSiteResults(siteTotals(data.counts), data.quizTotals, scope.sites);
      return { items: all.slice(offset, offset + pageSize), total: all.length, page, pageSize };
    },
  );

  app.get(
    '/api/reports/questionnaires/:id/members',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary:
          "A quiz's member scores (best attempt), a page at a time (by site, then member number); the whole table is " +
          'format=csv&list=members',
        params: IdParams,
        querystring: QuizTableQuery,
        response: { 200: QuizMembersPage, ...refusals },
      },
    },
    async (req) => {
      const { q, scope, siteIds, page, pageSize, offset } = quizTable(req.user!, req.params.id, req.query);
      const data = snapshot(() => {
        const scores = memberScores(db, q.id, siteIds, { limit: pageSize, offset });
        return {
          total: memberScoreCount(db, q.id, siteIds),
          scores,
          roll: rollOfMembers(
            db,
            scores.map((s) => s.memberNo),
          ),
        };
      });
      return { items: quizMemberResults(q, data.scores, data.roll, scope.sites), total: data.total, page, pageSize };
    },
  );

  app.get(
    '/api/reports/study',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary: 'Study record: per member, lectures completed, hours watched and quiz results',
        description: `${TEXT_FORMATS} Lectures completed are counted from raw sessions (kept ATTENDANCE_RETENTION_DAYS).`,
        querystring: StudyQuery,
        response: { 200: StudyReport, ...refusals },
      },
    },
    async (req, reply) => {
      const now = Date.now();
      const to = req.query.to ?? provinceDay(now, tz);
      const range = reportRange({ from: req.query.from ?? addDays(to, -29), to }, tz, now);
      const scope = resolveScope(db, req.user!, req.query.regionId);
      const siteIds = siteIdsOf(scope);
      const { startMs, endMs } = rangeMs(range.from, range.to, tz);
      const data = snapshot(() => {
        const programWatch = memberProgramWatch(db, siteIds, range.from, range.to);
        return {
          roll: rollOfSites(db, siteIds),
          watch: memberWatchByDay(db, daySplit(db, range), siteIds),
          programWatch,
          durations: programDurations(db, [...new Set(programWatch.map((w) => w.programId))]),
          quizzes: memberQuizResults(db, siteIds, startMs, endMs),
        };
      });
      const members = buildStudy({ sites: scope.sites, ...data });
      const json = { ...range, timeZone: tz, regionId: scope.root?.id ?? null, generatedAt: new Date(now).toISOString(), members };
      const notes = [`${range.from} – ${range.to} (${tz})`, `Region / 区域: ${scopeName(scope)}`];
      return send(reply, req.query.format, json, () => studyTable(members, notes), 'study', range);
    },
  );

  app.get(
    '/api/reports/demand',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary: 'Demand: "most wanted topics" from surveys beside "most requested programs" and topics (a la carte requests)',
        querystring: DemandQuery,
        response: { 200: DemandReport, ...refusals },
      },
    },
    async (req) => {
      const scope = resolveScope(db, req.user!, req.query.regionId);
      const siteIds = siteIdsOf(scope);
      const operator = req.user!.role === 'operator';
      const data = snapshot(() => ({
        votes: topicVotes(db, siteIds),
        requests: requestDemand(db, { regionId: scope.root?.id }, operator),
      }));
      return {
        regionId: scope.root?.id ?? null,
        generatedAt: new Date().toISOString(),
        wantedTopics: buildTopicDemand(data.votes, scope.sites),
        requestedPrograms: data.requests.programs,
        requestedTopics: data.requests.topics,
      };
    },
  );
}
