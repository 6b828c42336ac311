// The remote-driven questionnaire form (pure), the quiz offer rules, and the answer rules and score shared by the
// agent and the kiosk: the answer the form builds is one the rules accept.
import t from 'tap';
import type { LocalQuestionnaire } from '../../../common/local-api.ts';
import { answerProblem, quizScore } from '../../../common/questionnaire-rules.ts';
import { commandForKey, type Command } from '../../../player/kiosk/src/keys.ts';
import { QuestionnaireForm } from '../../../player/kiosk/src/questionnaire-form.ts';
import { OFFER_AFTER_ITEM_MS, quizAfterItem, quizOfProgram, type SeenOnAir } from '../../../player/kiosk/src/quiz-offer.ts';

const survey: LocalQuestionnaire = {
  id: 1,
  kind: 'survey',
  title: 'Needs',
  programId: null,
  opensAt: null,
  closesAt: null,
  passMark: null,
  open: true,
  questions: [
    { type: 'single', text: 'How often?', options: ['Daily', 'Weekly', 'Rarely'] },
    { type: 'topics', text: 'Which topics?', options: ['farming', 'law', 'history'] },
    { type: 'rating', text: 'Useful?', options: [] },
  ],
};
const quiz: LocalQuestionnaire = {
  ...survey,
  id: 2,
  kind: 'quiz',
  programId: 7,
  passMark: 50,
  questions: [
    { type: 'single', text: 'Q1', options: ['a', 'b', 'c'], correct: [1] },
    { type: 'multiple', text: 'Q2', options: ['a', 'b', 'c'], correct: [0, 2] },
  ],
};

/** Feeds keys as the remote sends them; returns the effects of the last one. */
function keys(form: QuestionnaireForm, ...names: string[]) {
  let fx: ReturnType<QuestionnaireForm['command']> = [];
  for (const name of names) fx = form.command(commandForKey(name) as Command);
  return fx;
}

t.test('a member: number, then digits pick, OK moves on, review sends an answer the rules accept', async (t) => {
  const form = new QuestionnaireForm(survey, 'a-1', () => ['1001', '1002']);
  keys(form, '1');
  t.equal(form.phase, 'who');
  t.same(keys(form, 'Enter'), [], 'OK with no number does not go on');
  t.equal(form.notice?.key, 'qNeedMember');
  keys(form, 'ArrowDown');
  t.equal(form.draft, '1001', 'Down offers the members signed in');
  keys(form, 'ArrowDown', 'ArrowLeft', '7');
  t.equal(form.draft, '1007', 'Left deletes a digit');
  t.same(keys(form, 'Enter'), [{ kind: 'checkMember', memberNo: '1007' }], 'the agent checks the number');
  t.equal(form.phase, 'who', 'not on until the agent took it');
  form.memberAccepted('1007');
  t.equal(form.phase, 'question');
  keys(form, 'Enter');
  t.equal(form.notice?.key, 'qPickFirst');
  keys(form, '4');
  t.same(form.notice, { key: 'qNoSuchOption', params: { n: 4 } });
  keys(form, '1', '3');
  t.same(form.picks[0], [2], 'single: the last digit wins');
  keys(form, 'Enter', '3', '1', '3', '2');
  t.same(form.picks[1], [0, 1], 'topics: digits toggle');
  keys(form, 'ArrowRight', '6');
  t.same(form.notice, { key: 'qNoSuchOption', params: { n: 6 } }, 'a rating is 1-5');
  keys(form, '5', 'ArrowRight');
  t.equal(form.phase, 'review');
  t.equal(form.answeredCount, 3);
  keys(form, 'ArrowLeft');
  t.equal(form.phase, 'question', 'Left from review goes back to the last question');
  t.equal(form.index, 2);
  const fx = keys(form, 'Enter', 'Enter');
  t.equal(fx.length, 1);
  const body = fx[0]!.kind === 'submit' ? fx[0]!.body : null;
  t.same(body, {
    id: 'a-1',
    questionnaireId: 1,
    memberNo: '1007',
    responses: [
      { question: 0, choices: [2] },
      { question: 1, choices: [0, 1] },
      { question: 2, rating: 5 },
    ],
  });
  t.equal(answerProblem(survey, body!, 0), null, 'the rules take it');
  t.same(keys(form, 'Enter'), [], 'keys wait while sending');
  form.sent();
  t.equal(form.phase, 'done');
  t.same(keys(form, 'Enter'), [{ kind: 'leave' }]);
});

t.test('the room: headcount, counts of hands per option, a count above the headcount refused', async (t) => {
  const form = new QuestionnaireForm(survey, 'r-1');
  keys(form, '2', '0', 'Enter');
  t.equal(form.notice?.key, 'qBadHeadcount', 'a room of 0 is refused');
  keys(form, '1', '2', 'Enter');
  t.equal(form.headcount, 12);
  t.equal(form.phase, 'question');
  keys(form, '8', 'ArrowDown', '5');
  t.same(form.notice, { key: 'qCountTooHigh', params: { count: 13, headcount: 12 } }, 'single choice: 8 + 5 hands > 12 people');
  t.same(form.counts[0], [8, 0, 0], 'the refused count is not kept');
  keys(form, '4');
  t.same(form.counts[0], [8, 4, 0]);
  keys(form, 'ArrowUp', '7');
  t.same(form.counts[0], [7, 4, 0], 'a move starts a fresh number');
  keys(form, 'Enter', 'Enter', 'Enter');
  t.equal(form.index, 1, 'OK walks the options, then the next question');
  keys(form, '1', '2', 'ArrowDown', '1', '2', 'ArrowDown', '1', '3');
  t.same(form.counts[1], [12, 12, 1], 'multiple choice: each option up to the headcount');
  t.equal(form.notice?.key, 'qCountTooHigh', '13 refused');
  keys(form, 'ArrowRight', 'ArrowRight');
  t.equal(form.phase, 'review');
  const fx = keys(form, 'Enter');
  const body = fx[0]!.kind === 'submit' ? fx[0]!.body : null;
  t.same(body?.room, { headcount: 12 });
  t.same(
    body?.responses.map((r) => r.counts),
    [
      [7, 4, 0],
      [12, 12, 1],
      [0, 0, 0, 0, 0],
    ],
  );
  t.equal(answerProblem(survey, body!, 0), null, 'the rules take it');
  form.notSent({ key: 'qSendFailed' });
  t.equal(form.phase, 'review', 'a failed send stays on review, same id for the retry');
  const again = keys(form, 'Enter');
  t.equal(again[0]!.kind === 'submit' ? again[0]!.body.id : '', 'r-1');
});

t.test('Back leaves from anywhere, with the answers kept in the form', async (t) => {
  const form = new QuestionnaireForm(quiz, 'q-1');
  keys(form, '1', '9', 'Enter');
  form.memberAccepted('9');
  keys(form, '2');
  t.same(keys(form, 'Escape'), [{ kind: 'leave' }]);
  t.same(form.picks[0], [1]);
  t.equal(form.phase, 'question');
});

t.test('quiz score as the server counts it', async (t) => {
  t.same(
    quizScore(quiz, [
      { question: 0, choices: [1] },
      { question: 1, choices: [2, 0] },
    ]),
    { correct: 2, total: 2, percent: 100, passed: true },
  );
  t.same(
    quizScore(quiz, [
      { question: 0, choices: [1] },
      { question: 1, choices: [0] },
    ]),
    { correct: 1, total: 2, percent: 50, passed: true },
  );
  t.same(quizScore(quiz, [{ question: 1, choices: [0, 1, 2] }]), { correct: 0, total: 2, percent: 0, passed: false });
  t.same(quizScore({ ...quiz, passMark: null }, [{ question: 0, choices: [1] }])?.passed, false, 'no pass mark: every question');
  t.equal(quizScore(survey, []), null, 'a survey has no score');
});

t.test('answer rules: window, who, question, options, counts', async (t) => {
  const open = { ...survey, opensAt: 1000, closesAt: 2000 };
  t.equal(answerProblem(open, { memberNo: '1', responses: [] }, 999)?.code, 'outside_window');
  t.equal(answerProblem(open, { memberNo: '1', responses: [] }, 2001)?.code, 'outside_window');
  t.equal(answerProblem(open, { memberNo: '1', responses: [] }, 2000), null, 'the closing instant still counts');
  t.equal(answerProblem(survey, { responses: [] }, 0)?.code, 'malformed');
  t.equal(answerProblem(survey, { memberNo: '1', room: { headcount: 2 }, responses: [] }, 0)?.code, 'malformed');
  t.equal(answerProblem(survey, { memberNo: '1', responses: [{ question: 3, choices: [0] }] }, 0)?.code, 'unknown_question');
  t.equal(
    answerProblem(
      survey,
      {
        memberNo: '1',
        responses: [
          { question: 0, choices: [0] },
          { question: 0, choices: [1] },
        ],
      },
      0,
    )?.code,
    'malformed',
  );
  t.equal(answerProblem(survey, { memberNo: '1', responses: [{ question: 1, choices: [0, 0] }] }, 0)?.code, 'malformed');
  t.equal(answerProblem(survey, { memberNo: '1', responses: [{ question: 2, rating: 0 }] }, 0)?.code, 'rating_out_of_range');
  t.equal(
    answerProblem(survey, { room: { headcount: 5 }, responses: [{ question: 2, counts: [1, 1, 1, 1, 2] }] }, 0)?.code,
    'count_exceeds_headcount',
  );
  t.equal(answerProblem(survey, { room: { headcount: 5 }, responses: [{ question: 0, counts: [1, 1] }] }, 0)?.code, 'malformed');
  const problem = answerProblem(survey, { memberNo: '1', responses: [{ question: 0, choices: [3] }] }, 0);
  t.match(problem?.message, /options 1 to 3; option 4 does not exist/, 'the message counts from 1, as the TV shows');
});

t.test('a quiz is offered once, after the item seen on air went off air, within ten minutes', async (t) => {
  const list = [survey, quiz, { ...quiz, id: 3, programId: 8, open: false }];
  t.equal(quizOfProgram(list, 7)?.id, 2);
  t.equal(quizOfProgram(list, 8), undefined, 'a closed quiz is not offered');
  const end = 1_000_000;
  const seen = (programId: number | null): SeenOnAir => ({ channelId: 4, item: { programId, title: 'lecture', start: end - 60_000, end } });
  const offered = new Set<string>();
  t.equal(quizAfterItem(seen(7), list, end - 1, offered), null, 'not before the item ends');
  const due = quizAfterItem(seen(7), list, end + 5_000, offered);
  t.equal(due?.quiz.id, 2);
  t.equal(due?.key, `4:7:${end - 60_000}`, 'the key names the airing: channel, program, start');
  offered.add(due!.key);
  t.equal(quizAfterItem(seen(7), list, end + 6_000, offered), null, 'once per airing');
  t.equal(quizAfterItem(seen(7), list, end + OFFER_AFTER_ITEM_MS + 1, new Set()), null, 'not long after');
  t.equal(quizAfterItem(seen(null), list, end + 1, new Set()), null, 'the slate has no quiz');
  t.equal(quizAfterItem(seen(9), list, end + 1, new Set()), null, 'a lecture without a quiz');
});
