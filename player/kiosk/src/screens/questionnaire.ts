// A survey or a quiz answered full screen with the remote (the rules are in ../questionnaire-form.ts; this draws
// them and talks to the agent). Back leaves at any point; the form, with what was answered, is kept for this
// page's lifetime and reopens where it was left. A member's quiz ends with the score and pass or fail.
import type { App, Screen } from '../app.ts';
import { api, HttpError, type LocalAnswerAck, type LocalQuestion, type LocalQuestionnaire } from '../api.ts';
import { h } from '../dom.ts';
import type { Command } from '../keys.ts';
import { newId } from '../ids.ts';
import { QuestionnaireForm, type FormEffect } from '../questionnaire-form.ts';
import { RATING_MIN, optionCount, quizScore } from '../../../../common/questionnaire-rules.ts';

const CARD_WATCH_MS = 1500;

/** Forms left with Back, by questionnaire id: reopened as they were. */
const kept = new Map<number, QuestionnaireForm>();

export function openForm(q: LocalQuestionnaire, signedIn: () => readonly string[]): QuestionnaireForm {
  const old = kept.get(q.id);
  if (old && old.phase !== 'done') return old;
  const form = new QuestionnaireForm(q, newId(), signedIn);
  kept.set(q.id, form);
  return form;
}

export class QuestionnaireScreen implements Screen {
  readonly el = h('section', { class: 'screen qform', 'data-screen': 'questionnaire', 'data-testid': 'q-form' });
  readonly mode = 'fullscreen' as const;
  private readonly form: QuestionnaireForm;
  private members: string[] = [];
  private score: LocalAnswerAck['score'] = null;
  /** While a member number is asked: a card swiped now signs its member in (attendance), and the form takes it. */
  private readonly cardWatch: ReturnType<typeof setInterval>;
  private readonly openedAt = Date.now();

  constructor(
    private readonly app: App,
    questionnaire: LocalQuestionnaire,
    private readonly onLeave: () => void,
  ) {
    this.form = openForm(questionnaire, () => this.members);
    this.el.dataset.questionnaire = String(questionnaire.id);
    api.sitting().then(
      (s) => {
        this.members = s.members.map((m) => m.memberNo);
      },
      () => undefined,
    );
    this.cardWatch = setInterval(() => this.takeSwipedCard(), CARD_WATCH_MS);
    this.refresh();
  }

  private takeSwipedCard(): void {
    const form = this.form;
    if (form.phase !== 'who' || form.mode !== 'member' || !this.el.isConnected || this.el.hidden) return;
    api.sitting().then(
      (s) => {
        this.members = s.members.map((m) => m.memberNo);
        const swiped = s.members.filter((m) => m.signedInAt >= this.openedAt).pop();
        if (swiped && form.phase === 'who') {
          form.memberAccepted(swiped.memberNo);
          this.refresh();
        }
      },
      () => undefined,
    );
  }

  onCommand(cmd: Command): boolean {
    for (const fx of this.form.command(cmd)) this.run(fx);
    this.refresh();
    return true; // the form takes every key: nothing reaches the channels behind it
  }

  private run(fx: FormEffect): void {
    const app = this.app;
    const form = this.form;
    if (fx.kind === 'leave') {
      if (form.phase === 'done') kept.delete(form.questionnaire.id);
      this.onLeave();
      return;
    }
    if (fx.kind === 'checkMember') {
      // Signing in is how the kiosk checks a member number (and counts the member present, as attendance does).
      api.signIn(fx.memberNo).then(
        () => {
          form.memberAccepted(fx.memberNo.replace(/\s+/g, ''));
          this.refresh();
        },
        (err: unknown) => {
          form.notice =
            err instanceof HttpError && err.status === 400 ? { key: 'attBadMember', params: { msg: err.message } } : { key: 'attFailed' };
          this.refresh();
        },
      );
      return;
    }
    api.answer(fx.body).then(
      (ack) => {
        // The agent's score, or the same rules here if it gave none.
        this.score = ack.score ?? (fx.body.memberNo ? quizScore(form.questionnaire, fx.body.responses) : null);
        form.sent();
        app.toast(app.tr('qSent'));
        this.refresh();
      },
      (err: unknown) => {
        const refused = err instanceof HttpError && err.status >= 400 && err.status < 500;
        form.notSent(refused ? { key: 'qRefused', params: { msg: err.message } } : { key: 'qSendFailed' });
        this.refresh();
      },
    );
  }

  private optionLabel(q: LocalQuestion, i: number): string {
    if (q.type === 'rating') return this.app.tr('qRating', { n: i + RATING_MIN });
    const topic = q.topics?.[i];
    if (topic) return this.app.lang === 'zh' ? topic.zh : topic.en;
    return q.options[i] ?? '';
  }

  private questionView(): HTMLElement {
    const app = this.app;
    const form = this.form;
    const q = form.question;
    const room = form.mode === 'room';
    const rows = Array.from({ length: optionCount(q) }, (_, i) => {
      const picked = !room && form.picks[form.index]!.includes(i);
      const focused = room && form.row === i;
      return h(
        'div',
        {
          class: `q-option${picked ? ' q-picked' : ''}${focused ? ' q-focus' : ''}`,
          'data-testid': 'q-option',
          'data-picked': picked ? 'true' : undefined,
          'data-focus': focused ? 'true' : undefined,
        },
        h('span', { class: 'q-digit' }, String(i + 1)),
        h('span', { class: 'q-text' }, this.optionLabel(q, i)),
        room ? h('span', { class: 'q-count', 'data-testid': 'q-count' }, app.tr('qHands', { n: form.counts[form.index]![i]! })) : null,
        picked ? h('span', { class: 'q-tick' }, '✓') : null,
      );
    });
    const hint = room
      ? app.tr('qHintRoom', { n: form.headcount ?? 0 })
      : app.tr(q.type === 'rating' ? 'qHintRating' : q.type === 'single' ? 'qHintSingle' : 'qHintMultiple');
    return h(
      'div',
      { class: 'q-body' },
      h('div', { class: 'q-progress', 'data-testid': 'q-progress' }, app.tr('qProgress', { i: form.index + 1, n: form.total })),
      h('h2', { class: 'q-question', 'data-testid': 'q-question' }, q.text),
      h('div', { class: 'q-hint' }, hint),
      h('div', { class: `q-options${rows.length > 5 ? ' q-two-cols' : ''}` }, rows),
      h('div', { class: 'q-keys' }, app.tr('qKeys')),
    );
  }

  private body(): HTMLElement {
    const app = this.app;
    const form = this.form;
    switch (form.phase) {
      case 'mode':
        return h(
          'div',
          { class: 'q-body' },
          h('h2', { class: 'q-question' }, app.tr('qModeTitle')),
          h(
            'div',
            { class: 'q-options' },
            h('div', { class: 'q-option' }, h('span', { class: 'q-digit' }, '1'), h('span', { class: 'q-text' }, app.tr('qModeMember'))),
            h('div', { class: 'q-option' }, h('span', { class: 'q-digit' }, '2'), h('span', { class: 'q-text' }, app.tr('qModeRoom'))),
          ),
          h('div', { class: 'q-keys' }, app.tr('qModeHint')),
        );
      case 'who': {
        const room = form.mode === 'room';
        return h(
          'div',
          { class: 'q-body' },
          h('h2', { class: 'q-question' }, app.tr(room ? 'qHeadcountTitle' : 'qMemberTitle')),
          h('div', { class: 'q-entry', 'data-testid': 'q-entry' }, form.draft || '_'),
          h('div', { class: 'q-keys' }, app.tr(room ? 'qHeadcountHint' : 'qMemberHint')),
        );
      }
      case 'question':
        return this.questionView();
      case 'review':
        return h(
          'div',
          { class: 'q-body' },
          h('h2', { class: 'q-question', 'data-testid': 'q-review' }, app.tr('qReviewTitle', { a: form.answeredCount, n: form.total })),
          form.sending ? h('div', { class: 'q-hint' }, app.tr('qSending')) : null,
          h('div', { class: 'q-keys' }, app.tr('qReviewHint')),
        );
      case 'done': {
        const s = this.score;
        return h(
          'div',
          { class: 'q-body q-done', 'data-testid': 'q-done' },
          h('h2', { class: 'q-question' }, app.tr('qSent')),
          s
            ? h(
                'div',
                { class: `q-result ${s.passed ? 'q-pass' : 'q-fail'}`, 'data-testid': 'q-result', 'data-passed': String(s.passed) },
                h('div', { class: 'q-score', 'data-testid': 'q-score' }, app.tr('qScore', { c: s.correct, n: s.total, p: s.percent })),
                h('div', { class: 'q-verdict' }, app.tr(s.passed ? 'qPassed' : 'qFailed')),
              )
            : null,
          h('div', { class: 'q-keys' }, app.tr('qDoneHint')),
        );
      }
    }
  }

  refresh(): void {
    const app = this.app;
    const form = this.form;
    const q = form.questionnaire;
    const who = form.memberNo ? app.tr('qMemberIs', { no: form.memberNo }) : form.headcount ? app.tr('qRoomIs', { n: form.headcount }) : '';
    this.el.dataset.phase = form.phase;
    this.el.replaceChildren(
      h(
        'header',
        { class: 'q-head' },
        h('span', { class: 'label' }, app.tr(q.kind === 'quiz' ? 'qQuiz' : 'qSurvey')),
        h('span', { class: 'q-title' }, q.title),
        h('span', { class: 'q-who' }, who),
      ),
      this.body(),
      h(
        'div',
        { class: `q-notice${form.notice ? ' shown' : ''}`, role: 'alert', 'data-testid': 'q-notice' },
        form.notice ? app.tr(form.notice.key, form.notice.params) : '',
      ),
    );
  }

  destroy(): void {
    clearInterval(this.cardWatch);
  }
}
