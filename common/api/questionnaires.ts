// Schemas of questionnaires (needs surveys) and quizzes: what an operator writes and publishes, what a site receives
// in its manifest, what a site sends back (POST /api/sites/me/answers, exactly once by (site, id)) and the reports
// organizers read (results per questionnaire, the study record, the demand list). One source for the server, the
// agent, the kiosk and the console: each schema's Static type carries the same name.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EPOCH_MS_MAX, MAX_HEADCOUNT, MEMBER_NO_PADDED_PATTERN, SESSION_ID_PATTERN } from '../attendance.ts';
import { Format, Page, PageQuery } from './shared.ts';

const RowId = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
const EpochMs = (description: string) => Type.Integer({ minimum: 0, maximum: EPOCH_MS_MAX, description });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Limits of one questionnaire: a form answered with a TV remote (digits 1-9 pick an option) stays short. */
export const MAX_QUESTIONS = 30;
export const MAX_OPTIONS = 9;
export const MAX_TITLE_LENGTH = 200;
export const MAX_QUESTION_TEXT_LENGTH = 500;
export const MAX_OPTION_TEXT_LENGTH = 200;
/** A 1-5 rating question: the values a member may give; a room gives one count per value (counts[0] = hands for 1). */
export const RATING_MIN = 1;
export const RATING_MAX = 5;
/** Answers one upload may carry, and the route's body limit that fits them. */
export const MAX_ANSWERS_PER_BATCH = 500;
export const MAX_ANSWERS_BATCH_BYTES = 2 * 1024 * 1024;
/** Published questionnaires that closed this long ago still reach sites (and take answers made while open). */
export const RECENTLY_CLOSED_MS = 14 * 86_400_000;
/** Questionnaires that open within this long already reach sites, so an offline site has them on the day. */
export const OPENING_SOON_MS = 48 * 3_600_000;

export const QuestionnaireKind = Type.Union([Type.Literal('survey'), Type.Literal('quiz')]);
export type QuestionnaireKind = Static<typeof QuestionnaireKind>;

/** single: one option; multiple: any options; rating: 1-5, no options; topics: options are taxonomy ids. */
export const QuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('rating'), Type.Literal('topics')]);
export type QuestionType = Static<typeof QuestionType>;

export const QuestionnaireStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
export type QuestionnaireStatus = Static<typeof QuestionnaireStatus>;

// ---------- writing (operators) ----------

export const QuestionInput = Type.Object(
  {
    type: QuestionType,
    text: Type.String({ minLength: 1, maxLength: MAX_QUESTION_TEXT_LENGTH }),
    options: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: MAX_OPTION_TEXT_LENGTH }), {
        maxItems: MAX_OPTIONS,
        description:
          'single/multiple: 2-9 option texts; rating: none; topics: category or audience ids from the taxonomy ' +
          '(GET /api/categories), all categories when absent',
      }),
    ),
    correct: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: MAX_OPTIONS - 1 }), {
        maxItems: MAX_OPTIONS,
        description: 'quiz only: indexes (from 0) of the right options; single takes exactly one',
      }),
    ),
  },
  { additionalProperties: false },
);
export type QuestionInput = Static<typeof QuestionInput>;

const questionnaireFields = {
  kind: QuestionnaireKind,
  title: Type.String({ minLength: 1, maxLength: MAX_TITLE_LENGTH }),
  programId: Type.Optional(Nullable(RowId('quiz: the lecture it checks (shown when that lecture ends)'))),
  regionIds: Type.Optional(
    Type.Array(RowId('a region'), {
      maxItems: 200,
      description: 'regions (with everything under them) the questionnaire reaches; empty or absent = all sites',
    }),
  ),
  opensAt: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'ISO 8601; absent = open on publishing' }))),
  closesAt: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'ISO 8601; absent = never closes' }))),
  passMark: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description: 'quiz only: percentage of questions answered right needed to pass',
      }),
    ),
  ),
  questions: Type.Array(QuestionInput, { minItems: 1, maxItems: MAX_QUESTIONS }),
};

/** POST /api/questionnaires -> 201 Questionnaire. */
export const NewQuestionnaire = Type.Object(questionnaireFields, { additionalProperties: false });
export type NewQuestionnaire = Static<typeof NewQuestionnaire>;

/**
 * PATCH /api/questionnaires/:id: any of the fields. Once a published questionnaire has answers its kind, program and
 * questions are fixed (409 questionnaire_answered); title, reach, window and pass mark may still change.
 */
export const QuestionnairePatch = Type.Partial(Type.Object(questionnaireFields), { additionalProperties: false });
export type QuestionnairePatch = Static<typeof QuestionnairePatch>;

export const TopicOption = Type.Object({ id: Type.String(), zh: Type.String(), en: Type.String() });
export type TopicOption = Static<typeof TopicOption>;

export const Question = Type.Object({
  type: QuestionType,
  text: Type.String(),
  /** single/multiple: the texts; rating: []; topics: the taxonomy ids (names in `topics`, same order). */
  options: Type.Array(Type.String()),
  correct: Type.Optional(Type.Array(Type.Integer())),
  topics: Type.Optional(Type.Array(TopicOption)),
});
export type Question = Static<typeof Question>;

export const Questionnaire = Type.Object({
  id: Type.Integer(),
  kind: QuestionnaireKind,
  title: Type.String(),
  programId: Nullable(Type.Integer()),
  programTitle: Nullable(Type.String()),
  regionIds: Type.Array(Type.Integer()),
  opensAt: Nullable(Type.String()),
  closesAt: Nullable(Type.String()),
  passMark: Nullable(Type.Integer()),
  status: QuestionnaireStatus,
  publishedAt: Nullable(Type.String()),
  questions: Type.Array(Question),
  /** Answers received (a room's answer counts once). Once above 0 the questions are fixed. */
  answers: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Questionnaire = Static<typeof Questionnaire>;

export const QuestionnaireListQuery = Type.Object(
  {
    kind: Type.Optional(QuestionnaireKind),
    status: Type.Optional(QuestionnaireStatus),
    programId: Type.Optional(RowId('only quizzes of this lecture')),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'part of the title' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type QuestionnaireListQuery = Static<typeof QuestionnaireListQuery>;

export const QuestionnaireSummary = Type.Object({
  id: Type.Integer(),
  kind: QuestionnaireKind,
  title: Type.String(),
  programId: Nullable(Type.Integer()),
  regionIds: Type.Array(Type.Integer()),
  opensAt: Nullable(Type.String()),
  closesAt: Nullable(Type.String()),
  status: QuestionnaireStatus,
  questionCount: Type.Integer(),
  answers: Type.Integer(),
  updatedAt: Type.String(),
});
export type QuestionnaireSummary = Static<typeof QuestionnaireSummary>;

export const QuestionnaireList = Page(QuestionnaireSummary);
export type QuestionnaireList = Static<typeof QuestionnaireList>;

/** DELETE answers 204 with no body. */
export const QuestionnaireDeleted = Type.Null({ description: 'deleted' });

// ---------- the site manifest (server -> site) ----------

/** One published questionnaire reaching the site; times are epoch ms so the kiosk compares them with its clock. */
export const ManifestQuestionnaire = Type.Object({
  id: Type.Integer(),
  kind: QuestionnaireKind,
  title: Type.String(),
  programId: Nullable(Type.Integer()),
  opensAt: Nullable(Type.Integer()),
  closesAt: Nullable(Type.Integer()),
  passMark: Nullable(Type.Integer()),
  questions: Type.Array(Question),
});
export type ManifestQuestionnaire = Static<typeof ManifestQuestionnaire>;

// ---------- answers (POST /api/sites/me/answers, site token) ----------

export const AnswerResponse = Type.Object(
  {
    question: Type.Integer({ minimum: 0, maximum: 1000, description: 'index of the question, from 0' }),
    choices: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 1000 }), {
        maxItems: 100,
        description: "a member's answer to single/multiple/topics: option indexes",
      }),
    ),
    rating: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: "a member's 1-5 rating" })),
    counts: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 1_000_000 }), {
        maxItems: 100,
        description: "a room's answer: hands per option (rating: per value 1..5)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type AnswerResponse = Static<typeof AnswerResponse>;

export const Answer = Type.Object(
  {
    id: Type.String({ pattern: SESSION_ID_PATTERN, description: 'made at the site (a UUID); unique per site' }),
    questionnaireId: RowId('the questionnaire answered'),
    answeredAt: EpochMs('epoch ms, site clock, when the answer was confirmed'),
    memberNo: Type.Optional(Type.String({ maxLength: 80, pattern: MEMBER_NO_PADDED_PATTERN, description: 'one member answering' })),
    room: Type.Optional(
      Type.Object(
        {
          headcount: Type.Integer({ minimum: 1, maximum: MAX_HEADCOUNT, description: 'people in the room answering by hands' }),
        },
        { additionalProperties: false },
      ),
    ),
    responses: Type.Array(AnswerResponse, { maxItems: 100 }),
  },
  { additionalProperties: false },
);
export type Answer = Static<typeof Answer>;

export const AnswerBatch = Type.Object(
  {
    sentAt: EpochMs("the agent's clock when sending; answeredAt is corrected by (server now - sentAt)"),
    answers: Type.Array(Answer, { maxItems: MAX_ANSWERS_PER_BATCH }),
  },
  { additionalProperties: false },
);
export type AnswerBatch = Static<typeof AnswerBatch>;

export const AnswerRejectReason = Type.Union([
  Type.Literal('unknown_questionnaire'),
  Type.Literal('unknown_question'),
  Type.Literal('option_out_of_range'),
  Type.Literal('count_exceeds_headcount'),
  Type.Literal('rating_out_of_range'),
  /** answeredAt (clock-corrected) is before opensAt or after closesAt. */
  Type.Literal('outside_window'),
  /** The site has a roll and the number is not on any roll. */
  Type.Literal('unknown_member'),
  /** The number is on another site's roll. */
  Type.Literal('member_of_other_site'),
  /** Not one answer: neither or both of memberNo and room, a member giving counts, two choices to a single question... */
  Type.Literal('malformed'),
  /** After clock correction the answer lies in the future. */
  Type.Literal('in_future'),
  /** This site already sent this id with other content: the first version is kept. */
  Type.Literal('id_conflict'),
]);
export type AnswerRejectReason = Static<typeof AnswerRejectReason>;

export const AnswerBatchResult = Type.Object({
  accepted: Type.Array(Type.String(), { description: 'ids the server holds (new or already had): delete exactly these' }),
  rejected: Type.Array(Type.Object({ id: Type.String(), reason: AnswerRejectReason, message: Type.String() }), {
    description: 'ids refused for good: resending will not help',
  }),
  deferred: Type.Optional(
    Type.Array(Type.Object({ id: Type.String(), message: Type.String() }), {
      description: 'valid ids the server could not store this time: keep and send them again',
    }),
  ),
  clockOffsetMs: Type.Integer({ description: 'server now - sentAt, ms' }),
});
export type AnswerBatchResult = Static<typeof AnswerBatchResult>;

// ---------- reports (organizers: their region only; operators: any) ----------

export const ReportList = Type.Union([Type.Literal('questions'), Type.Literal('sites'), Type.Literal('members')], {
  description: 'csv/html: which table (questions: answers per option, the default; quiz: sites or members)',
});
export type ReportList = Static<typeof ReportList>;

export const QuestionnaireReportQuery = Type.Object(
  {
    regionId: Type.Optional(RowId("root of the report (default: the organizer's region, or everything)")),
    format: Type.Optional(Format),
    list: Type.Optional(ReportList),
  },
  { additionalProperties: false },
);
export type QuestionnaireReportQuery = Static<typeof QuestionnaireReportQuery>;

export const OptionResult = Type.Object({
  index: Type.Integer(),
  text: Type.String(),
  count: Type.Integer({ description: 'members choosing it plus hands raised for it' }),
  share: Nullable(Type.Number({ description: 'count / people answering the question (0..1)' })),
});
export type OptionResult = Static<typeof OptionResult>;

export const RegionResult = Type.Object({
  regionId: Type.Integer(),
  regionName: Type.String(),
  respondents: Type.Integer(),
  counts: Type.Array(Type.Integer(), { description: 'per option, same order as options' }),
});
export type RegionResult = Static<typeof RegionResult>;

export const QuestionResult = Type.Object({
  index: Type.Integer(),
  type: QuestionType,
  text: Type.String(),
  /** People answering this question: members plus the headcounts of rooms. */
  respondents: Type.Integer(),
  options: Type.Array(OptionResult, { description: 'rating: the values 1..5' }),
  ratingAverage: Type.Optional(Nullable(Type.Number())),
  correct: Type.Optional(Type.Array(Type.Integer())),
  /** Quiz: share of respondents choosing exactly the right answer (rooms: hands on the right option). */
  correctShare: Type.Optional(Nullable(Type.Number())),
  /** By the regions one level under the report's root (the province's when none). */
  byRegion: Type.Array(RegionResult),
});
export type QuestionResult = Static<typeof QuestionResult>;

export const QuizSiteResult = Type.Object({
  siteId: Type.Integer(),
  siteName: Type.String(),
  regionId: Type.Integer(),
  members: Type.Integer({ description: 'members who answered' }),
  passed: Type.Integer(),
  passRate: Nullable(Type.Number({ description: 'passed / members (0..1)' })),
  roomAnswers: Type.Integer(),
});
export type QuizSiteResult = Static<typeof QuizSiteResult>;

export const QuizMemberResult = Type.Object({
  memberNo: Type.String(),
  name: Nullable(Type.String()),
  siteId: Type.Integer(),
  siteName: Type.String(),
  /** On the roll of this site. */
  verified: Type.Boolean(),
  attempts: Type.Integer(),
  /** Best attempt: questions right, of questionCount; score = right / questionCount (0..1). */
  right: Type.Integer(),
  questionCount: Type.Integer(),
  score: Type.Number(),
  passed: Type.Boolean(),
  answeredAt: Type.String({ description: 'ISO 8601 of the best attempt' }),
});
export type QuizMemberResult = Static<typeof QuizMemberResult>;

export const QuestionnaireReport = Type.Object({
  questionnaire: Type.Object({
    id: Type.Integer(),
    kind: QuestionnaireKind,
    title: Type.String(),
    programId: Nullable(Type.Integer()),
    passMark: Nullable(Type.Integer()),
    opensAt: Nullable(Type.String()),
    closesAt: Nullable(Type.String()),
  }),
  regionId: Nullable(Type.Integer()),
  generatedAt: Type.String(),
  totals: Type.Object({
    answers: Type.Integer(),
    memberAnswers: Type.Integer(),
    roomAnswers: Type.Integer(),
    people: Type.Integer({ description: 'members plus room headcounts' }),
    sites: Type.Integer(),
  }),
  questions: Type.Array(QuestionResult),
  quiz: Type.Optional(
    Type.Object({
      passMark: Type.Integer(),
      passRate: Nullable(Type.Number()),
      sites: Type.Array(QuizSiteResult),
      members: Type.Array(QuizMemberResult),
    }),
  ),
});
export type QuestionnaireReport = Static<typeof QuestionnaireReport>;

/** A quiz's two result tables a page at a time (the CSV/HTML exports of the report stay whole). */
export const QuizTableQuery = Type.Object(
  {
    regionId: Type.Optional(RowId("root of the report (default: the organizer's region, or everything)")),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'from 1' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export type QuizTableQuery = Static<typeof QuizTableQuery>;

const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ description: 'rows in the whole table' }),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  });

/** GET /api/reports/questionnaires/:id/sites: pass rate per site, by site id. */
export const QuizSitesPage = pageOf(QuizSiteResult);
export type QuizSitesPage = Static<typeof QuizSitesPage>;

/** GET /api/reports/questionnaires/:id/members: each member's best attempt, by site then member number. */
export const QuizMembersPage = pageOf(QuizMemberResult);
export type QuizMembersPage = Static<typeof QuizMembersPage>;

export const StudyQuery = Type.Object(
  {
    regionId: Type.Optional(RowId("root of the report (default: the organizer's region, or everything)")),
    from: Type.Optional(Type.String({ maxLength: 10, description: 'first day, YYYY-MM-DD (default: 29 days before `to`)' })),
    to: Type.Optional(Type.String({ maxLength: 10, description: 'last day included, YYYY-MM-DD (default: today)' })),
    format: Type.Optional(Format),
  },
  { additionalProperties: false },
);
export type StudyQuery = Static<typeof StudyQuery>;

export const StudyQuiz = Type.Object({
  questionnaireId: Type.Integer(),
  title: Type.String(),
  score: Type.Number(),
  passed: Type.Boolean(),
});
export type StudyQuiz = Static<typeof StudyQuiz>;

export const StudyMember = Type.Object({
  memberNo: Type.String(),
  name: Nullable(Type.String()),
  siteId: Type.Integer(),
  siteName: Type.String(),
  verified: Type.Boolean(),
  /** Lectures watched to at least COMPLETED_SHARE of their length (in the range, from raw sessions). */
  lecturesCompleted: Type.Integer(),
  watchedHours: Type.Number(),
  quizzesTaken: Type.Integer(),
  quizzesPassed: Type.Integer(),
  quizzes: Type.Array(StudyQuiz),
});
export type StudyMember = Static<typeof StudyMember>;

/** A lecture counts as completed once a member watched this share of it. */
export const COMPLETED_SHARE = 0.9;

export const StudyReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  regionId: Nullable(Type.Integer()),
  generatedAt: Type.String(),
  members: Type.Array(StudyMember),
});
export type StudyReport = Static<typeof StudyReport>;

export const DemandQuery = Type.Object(
  {
    regionId: Type.Optional(RowId("only sites under this region (default: the organizer's region, or everything)")),
  },
  { additionalProperties: false },
);
export type DemandQuery = Static<typeof DemandQuery>;

export const SiteVotes = Type.Object({ siteId: Type.Integer(), siteName: Type.String(), count: Type.Integer() });
export const TopicDemand = Type.Object({
  topic: Type.String({ description: 'taxonomy id' }),
  zh: Type.String(),
  en: Type.String(),
  count: Type.Integer({ description: 'members choosing it plus hands raised for it, over all surveys' }),
  sites: Type.Integer({ description: 'distinct sites choosing it' }),
  lastAt: Type.String({ description: 'last day it was chosen, YYYY-MM-DD' }),
  bySite: Type.Array(SiteVotes),
});
export type TopicDemand = Static<typeof TopicDemand>;

const requestEntry = {
  count: Type.Integer(),
  sites: Type.Integer(),
  members: Type.Integer(),
  lastAt: Type.String(),
  bySite: Type.Array(SiteVotes),
};
/** "Most wanted topics" (from surveys) beside "most requested programs" and topics (a la carte requests). */
export const DemandReport = Type.Object({
  regionId: Nullable(Type.Integer()),
  generatedAt: Type.String(),
  wantedTopics: Type.Array(TopicDemand),
  requestedPrograms: Type.Array(Type.Object({ programId: Nullable(Type.Integer()), title: Type.String(), ...requestEntry })),
  requestedTopics: Type.Array(Type.Object({ topic: Type.String(), ...requestEntry })),
});
export type DemandReport = Static<typeof DemandReport>;
