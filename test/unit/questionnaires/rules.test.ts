// Pure rules: quiz scoring, room tallies and their limits, the window with clock slack, member roll facts.
import t from 'tap';
import fc from 'fast-check';
import {
  ANSWERS,
  checkAnswer,
  CLOCK_SLACK_MS,
  MEMBER_ANSWERS,
  PEOPLE,
  RESPONDENTS,
  RIGHT,
  TOTALS,
  type AnswerContext,
  type AnsweredQuestionnaire,
} from '../../../server/questionnaires/answer-check.ts';
import { isRight } from '../../../server/questionnaires/rules.ts';
import { groupRegion } from '../../../server/questionnaires/reports.ts';

const quiz: AnsweredQuestionnaire = {
  id: 7,
  kind: 'quiz',
  opensAt: 1_000_000,
  closesAt: 2_000_000,
  questions: [
    { type: 'single', text: 'a', options: ['x', 'y', 'z'], correct: [1] },
    { type: 'multiple', text: 'b', options: ['x', 'y', 'z'], correct: [0, 2] },
  ],
};
const ctx = (over: Partial<AnswerContext> = {}): AnswerContext => ({
  siteId: 1,
  offsetMs: 0,
  now: 3_000_000,
  questionnaires: new Map([[7, quiz]]),
  rollSites: new Map(),
  siteHasRoll: false,
  ...over,
});

t.test("a member's quiz answer: tallies and score", async (t) => {
  const v = checkAnswer(
    {
      id: 'a',
      questionnaireId: 7,
      answeredAt: 1_500_000,
      memberNo: ' M1 ',
      responses: [
        { question: 0, choices: [1] },
        { question: 1, choices: [2] },
      ],
    },
    ctx(),
  );
  t.ok(v.ok);
  if (!v.ok) return;
  t.equal(v.memberNo, 'M1');
  t.equal(v.right, 1);
  t.same(v.tallies, [
    { question: TOTALS, option: ANSWERS, n: 1 },
    { question: TOTALS, option: PEOPLE, n: 1 },
    { question: TOTALS, option: MEMBER_ANSWERS, n: 1 },
    { question: 0, option: RESPONDENTS, n: 1 },
    { question: 0, option: 1, n: 1 },
    { question: 0, option: RIGHT, n: 1 },
    { question: 1, option: RESPONDENTS, n: 1 },
    { question: 1, option: 2, n: 1 },
  ]);
});

t.test('a room: hands per option, the right answer counted by its fewest hands, no score', async (t) => {
  const v = checkAnswer(
    { id: 'r', questionnaireId: 7, answeredAt: 1_500_000, room: { headcount: 9 }, responses: [{ question: 1, counts: [7, 1, 5] }] },
    ctx(),
  );
  t.ok(v.ok);
  if (!v.ok) return;
  t.equal(v.right, null);
  t.same(v.tallies, [
    { question: TOTALS, option: ANSWERS, n: 1 },
    { question: TOTALS, option: PEOPLE, n: 9 },
    { question: 1, option: RESPONDENTS, n: 9 },
    { question: 1, option: 0, n: 7 },
    { question: 1, option: 1, n: 1 },
    { question: 1, option: 2, n: 5 },
    { question: 1, option: RIGHT, n: 5 },
  ]);
});

t.test('the window is kept with the clock corrected and a minute of slack', async (t) => {
  const at = (answeredAt: number, offsetMs = 0) =>
    checkAnswer({ id: 'w', questionnaireId: 7, answeredAt, memberNo: 'M', responses: [] }, ctx({ offsetMs }));
  t.ok(at(2_000_000 + CLOCK_SLACK_MS).ok, 'at the close plus slack');
  t.match(at(2_000_001 + CLOCK_SLACK_MS), { ok: false, reason: 'outside_window' });
  t.ok(at(2_500_000, -600_000).ok, 'a fast site clock is corrected into the window');
  t.match(at(1_000_000 - CLOCK_SLACK_MS - 1), { ok: false, reason: 'outside_window' });
});

t.test("rolls: another site's member refused; unknown ones only when the site has a roll", async (t) => {
  const a = { id: 'm', questionnaireId: 7, answeredAt: 1_500_000, memberNo: 'M9', responses: [] };
  t.ok(checkAnswer(a, ctx()).ok);
  t.match(checkAnswer(a, ctx({ siteHasRoll: true })), { ok: false, reason: 'unknown_member' });
  t.match(checkAnswer(a, ctx({ rollSites: new Map([['M9', 2]]) })), { ok: false, reason: 'member_of_other_site' });
  t.ok(checkAnswer(a, ctx({ siteHasRoll: true, rollSites: new Map([['M9', 1]]) })).ok);
});

t.test('scoring: right is exactly the right set', async () => {
  const q = quiz.questions[1];
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }), (choices) => {
      const expected = choices.length === 2 && choices.includes(0) && choices.includes(2);
      return isRight(q, choices) === expected;
    }),
  );
});

t.test('results are shown by the region one level under the root', async (t) => {
  t.equal(groupRegion('/1/2/4/5/', 1), 2);
  t.equal(groupRegion('/1/2/4/5/', 2), 4);
  t.equal(groupRegion('/1/2/', 2), 2, 'a site placed at the root itself');
});
