// The questionnaire editor's form logic and the results chart, apart from the browser: what the form sends is
// what the operator filled in (a survey carries no answers key, a rating no options), and option edits keep the
// right answers pointing at the same options.
import t from 'tap';
import {
  bodyOf,
  DEFAULT_PASS_MARK,
  draftOf,
  emptyDraft,
  move,
  newQuestion,
  removeOption,
  retype,
  setKind,
  windowState,
} from '../../../server/console/src/questionnaire-form.ts';
import { answerChartOption, pageOf } from '../../../server/console/src/questionnaire-results.ts';
import type { Questionnaire, QuestionResult } from '../../../common/api/questionnaires.ts';

// Wall clock as UTC, so the conversions are checked without a zone database.
const toMs = (wall: string) => Date.parse(`${wall}:00Z`);
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);

t.test('a quiz: right answers sorted, times as instants, rating without options or answers', async (t) => {
  const d = emptyDraft('quiz');
  d.title = '  党章学习测验 ';
  d.programId = 7;
  d.opensAt = '2026-12-01T08:00';
  d.questions[0].text = '第一题';
  d.questions[0].options = ['甲', ' 乙 ', '丙'];
  d.questions[0].type = 'multiple';
  d.questions[0].correct = [2, 0];
  d.questions.push({ ...newQuestion('rating'), text: '打分' });
  const body = bodyOf(d, toMs);
  t.same(body, {
    kind: 'quiz',
    title: '党章学习测验',
    programId: 7,
    regionIds: [],
    opensAt: '2026-12-01T08:00:00.000Z',
    closesAt: null,
    passMark: 60,
    questions: [
      { type: 'multiple', text: '第一题', options: ['甲', '乙', '丙'], correct: [0, 2] },
      { type: 'rating', text: '打分' },
    ],
  });
});

t.test('a survey sends no program, pass mark or right answers even if the form once held them', async (t) => {
  const d = emptyDraft('quiz');
  d.programId = 3;
  d.questions[0].correct = [1];
  d.kind = 'survey';
  const body = bodyOf(d, toMs);
  t.equal(body.programId, null);
  t.equal(body.passMark, null);
  t.notOk('correct' in body.questions[0]);
});

t.test('removing an option keeps the right answers on the same options', async (t) => {
  const q = newQuestion('multiple');
  q.options = ['a', 'b', 'c', 'd'];
  q.correct = [1, 3];
  removeOption(q, 0);
  t.same(q.options, ['b', 'c', 'd']);
  t.same(q.correct, [0, 2]);
  removeOption(q, 0);
  t.same(q.correct, [1], 'the removed right option is no longer right');
});

t.test('changing type keeps texts between single and multiple, topics start from the taxonomy', async (t) => {
  const q = newQuestion('multiple');
  q.options = ['x', 'y'];
  q.correct = [0, 1];
  retype(q, 'single', []);
  t.same(q.options, ['x', 'y']);
  t.same(q.correct, [0], 'a single choice keeps one right answer');
  retype(q, 'topics', ['party', 'law']);
  t.same(q.options, ['party', 'law']);
  t.same(q.correct, []);
  retype(q, 'rating', []);
  t.same(q.options, []);
});

t.test('reordering', async (t) => {
  const list = ['a', 'b', 'c'];
  move(list, 0, 1);
  t.same(list, ['b', 'a', 'c']);
  move(list, 0, -1);
  t.same(list, ['b', 'a', 'c'], 'no move past the ends');
  move(list, 2, -2);
  t.same(list, ['c', 'b', 'a']);
});

t.test('a stored questionnaire round-trips through the form', async (t) => {
  const stored: Questionnaire = {
    id: 1,
    kind: 'quiz',
    title: 'T',
    programId: 4,
    programTitle: 'P',
    regionIds: [2],
    opensAt: '2026-12-01T08:00:00.000Z',
    closesAt: '2026-12-08T20:30:00.000Z',
    passMark: 80,
    status: 'draft',
    publishedAt: null,
    answers: 0,
    questions: [{ type: 'single', text: 'Q', options: ['a', 'b'], correct: [1] }],
    createdAt: '',
    updatedAt: '',
  };
  const body = bodyOf(draftOf(stored, wall), toMs);
  t.same(body, {
    kind: 'quiz',
    title: 'T',
    programId: 4,
    regionIds: [2],
    opensAt: stored.opensAt,
    closesAt: stored.closesAt,
    passMark: 80,
    questions: [{ type: 'single', text: 'Q', options: ['a', 'b'], correct: [1] }],
  });
});

t.test('window state', async (t) => {
  const now = Date.parse('2026-12-05T00:00:00Z');
  t.equal(windowState({ opensAt: null, closesAt: null }, now), 'open');
  t.equal(windowState({ opensAt: '2026-12-06T00:00:00Z', closesAt: null }, now), 'upcoming');
  t.equal(windowState({ opensAt: null, closesAt: '2026-12-05T00:00:00Z' }, now), 'closed');
});

t.test('results chart: stacked by region when there are a few, one total bar otherwise', async (t) => {
  const q: QuestionResult = {
    index: 0,
    type: 'single',
    text: 'Q',
    respondents: 5,
    options: [
      { index: 0, text: 'a', count: 3, share: 0.6 },
      { index: 1, text: 'b', count: 2, share: 0.4 },
    ],
    byRegion: [
      { regionId: 1, regionName: '东县', respondents: 3, counts: [2, 1] },
      { regionId: 2, regionName: '西县', respondents: 2, counts: [1, 1] },
    ],
  };
  const stacked = answerChartOption(q, 'n') as { series: Array<{ name: string; data: number[]; stack?: string }> };
  t.same(
    stacked.series.map((s) => [s.name, s.data, s.stack]),
    [
      ['东县', [2, 1], 'regions'],
      ['西县', [1, 1], 'regions'],
    ],
  );
  const single = answerChartOption({ ...q, byRegion: q.byRegion.slice(0, 1) }, 'n') as typeof stacked;
  t.same(
    single.series.map((s) => [s.name, s.data, s.stack]),
    [['n', [3, 2], undefined]],
  );
  t.same(pageOf([1, 2, 3, 4, 5], 2, 2), [3, 4]);
});

t.test('a survey turned into a quiz gets a pass mark and only graded question types', async (t) => {
  const d = emptyDraft('survey');
  d.questions = [newQuestion('rating'), newQuestion('multiple')];
  setKind(d, 'quiz', ['party']);
  t.equal(d.passMark, DEFAULT_PASS_MARK);
  t.same(
    d.questions.map((q) => q.type),
    ['single', 'multiple'],
  );
  t.same(d.questions[0].options, ['', ''], 'a former rating gets two empty options to fill in');
  d.passMark = 80;
  setKind(d, 'survey', []);
  setKind(d, 'quiz', []);
  t.equal(d.passMark, 80, 'a pass mark already set is kept');
});
