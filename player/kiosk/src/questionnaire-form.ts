// The questionnaire form driven by the TV remote, as a pure state machine: the screen feeds it commands and draws
// what it holds. Phases: who answers (each member, or the room) -> the member number or the room's headcount ->
// the questions -> review -> done. Member: digits 1-9 pick an option (toggle on a multiple choice; 1-5 on a
// rating). Room: Up/Down move between options, digits type the hands up for the one in focus; a count above the
// headcount is refused on the spot. OK confirms and goes on, Left/Right move between questions, Back leaves
// (the form, with its answers, is kept by the screen for later). No DOM, no clock: tested as plain data.
import type { LocalAnswerBody, LocalQuestion, LocalQuestionnaire, LocalResponse } from '../../../common/local-api.ts';
import { MAX_HEADCOUNT } from '../../../common/attendance.ts';
import { optionCount, RATING_MIN } from '../../../common/questionnaire-rules.ts';
import type { Command } from './keys.ts';
import type { MessageKey } from './i18n.ts';

export type FormMode = 'member' | 'room';
export type FormPhase = 'mode' | 'who' | 'question' | 'review' | 'done';

/** What the screen must do after a command. */
export type FormEffect =
  | { kind: 'leave' }
  /** Check the member number with the agent (sign-in), then call memberAccepted or refuse. */
  | { kind: 'checkMember'; memberNo: string }
  | { kind: 'submit'; body: LocalAnswerBody };

export interface FormNotice {
  key: MessageKey;
  params?: Record<string, string | number>;
}

const MAX_MEMBER_DIGITS = 20;
const MAX_COUNT_DIGITS = 3;

export class QuestionnaireForm {
  phase: FormPhase = 'mode';
  mode: FormMode | null = null;
  /** Question on screen. */
  index = 0;
  /** Who: the member number or the headcount being typed. */
  draft = '';
  memberNo: string | null = null;
  headcount: number | null = null;
  /** Member: the options picked per question (0-based; a rating's mark is its index + 1). */
  readonly picks: number[][];
  /** Room: hands up per option per question. */
  readonly counts: number[][];
  /** Room: the option in focus. */
  row = 0;
  /** Room: the count being typed for `row` (a fresh number after each move). */
  private countDraft = '';
  /** A refusal or a hint to show until the next key. */
  notice: FormNotice | null = null;
  /** Set while an answer is being sent: keys wait. */
  sending = false;

  constructor(
    readonly questionnaire: LocalQuestionnaire,
    /** The answer's id, made on the TV when the form opens: a resend after a failure counts once. */
    readonly answerId: string,
    /** Members signed in now (attendance): Up/Down offers them in the member-number step. */
    private readonly signedIn: () => readonly string[] = () => [],
  ) {
    this.picks = questionnaire.questions.map(() => []);
    this.counts = questionnaire.questions.map((q) => new Array<number>(optionCount(q)).fill(0));
  }

  get question(): LocalQuestion {
    return this.questionnaire.questions[this.index]!;
  }

  get total(): number {
    return this.questionnaire.questions.length;
  }

  answered(i: number): boolean {
    return this.mode === 'room' ? true : this.picks[i]!.length > 0;
  }

  get answeredCount(): number {
    return this.questionnaire.questions.filter((_, i) => this.answered(i)).length;
  }

  /** Feeds one remote command; returns what the screen must do. */
  command(cmd: Command): FormEffect[] {
    if (this.sending) return [];
    this.notice = null;
    if (cmd.kind === 'back') return [{ kind: 'leave' }];
    switch (this.phase) {
      case 'mode':
        return this.onMode(cmd);
      case 'who':
        return this.onWho(cmd);
      case 'question':
        return this.mode === 'room' ? this.onRoomQuestion(cmd) : this.onMemberQuestion(cmd);
      case 'review':
        return this.onReview(cmd);
      case 'done':
        return cmd.kind === 'select' ? [{ kind: 'leave' }] : [];
    }
  }

  private onMode(cmd: Command): FormEffect[] {
    if (cmd.kind === 'digit' && (cmd.digit === 1 || cmd.digit === 2)) {
      this.mode = cmd.digit === 1 ? 'member' : 'room';
      this.phase = 'who';
      this.draft = '';
    } else if (cmd.kind === 'digit') this.notice = { key: 'qNoSuchOption', params: { n: cmd.digit } };
    return [];
  }

  private onWho(cmd: Command): FormEffect[] {
    if (cmd.kind === 'digit') {
      const max = this.mode === 'room' ? MAX_COUNT_DIGITS : MAX_MEMBER_DIGITS;
      if (this.draft.length < max)
        this.draft = this.mode === 'room' ? `${this.draft}${cmd.digit}`.replace(/^0+/, '') : this.draft + cmd.digit;
      return [];
    }
    if (cmd.kind === 'move' && cmd.dir === 'left') {
      this.draft = this.draft.slice(0, -1);
      return [];
    }
    if (cmd.kind === 'move' && (cmd.dir === 'up' || cmd.dir === 'down') && this.mode === 'member') {
      const members = this.signedIn();
      if (members.length === 0) return [];
      const at = members.indexOf(this.draft);
      const step = cmd.dir === 'down' ? 1 : -1;
      this.draft = members[at < 0 ? (step > 0 ? 0 : members.length - 1) : (at + step + members.length) % members.length]!;
      return [];
    }
    if (cmd.kind !== 'select') return [];
    if (this.mode === 'member') {
      if (!this.draft) {
        this.notice = { key: 'qNeedMember' };
        return [];
      }
      return [{ kind: 'checkMember', memberNo: this.draft }];
    }
    const n = Number(this.draft);
    if (!Number.isInteger(n) || n < 1 || n > Math.min(999, MAX_HEADCOUNT)) {
      this.notice = { key: 'qBadHeadcount' };
      return [];
    }
    this.headcount = n;
    this.startQuestions();
    return [];
  }

  /** The agent took the member number (signed in): the questions start. */
  memberAccepted(memberNo: string): void {
    if (this.phase !== 'who' || this.mode !== 'member') return;
    this.memberNo = memberNo;
    this.startQuestions();
  }

  private startQuestions(): void {
    this.phase = 'question';
    this.index = 0;
    this.row = 0;
    this.countDraft = '';
  }

  private goTo(i: number): void {
    if (i < 0) return;
    if (i >= this.total) {
      this.phase = 'review';
      return;
    }
    this.index = i;
    this.row = 0;
    this.countDraft = '';
  }

  private onMemberQuestion(cmd: Command): FormEffect[] {
    const q = this.question;
    const picks = this.picks[this.index]!;
    switch (cmd.kind) {
      case 'digit': {
        const n = optionCount(q);
        const i = cmd.digit - 1;
        if (cmd.digit < 1 || i >= n) {
          this.notice = { key: 'qNoSuchOption', params: { n: cmd.digit } };
          return [];
        }
        if (q.type === 'multiple' || q.type === 'topics') {
          const at = picks.indexOf(i);
          if (at >= 0) picks.splice(at, 1);
          else picks.push(i);
          picks.sort((a, b) => a - b);
        } else picks.splice(0, picks.length, i);
        return [];
      }
      case 'select':
        if (picks.length === 0) {
          this.notice = { key: 'qPickFirst' };
          return [];
        }
        this.goTo(this.index + 1);
        return [];
      case 'move':
        if (cmd.dir === 'left') this.goTo(this.index - 1);
        if (cmd.dir === 'right') this.goTo(this.index + 1);
        return [];
      default:
        return [];
    }
  }

  /**
   * The hands that would exceed the room, or null: on a single choice or a rating each person raises one hand (the
   * sum counts), on a multiple choice each option may have everyone.
   */
  private overHeadcount(counts: readonly number[]): number | null {
    const headcount = this.headcount ?? 0;
    const exclusive = this.question.type === 'single' || this.question.type === 'rating';
    const hands = exclusive ? counts.reduce((a, b) => a + b, 0) : Math.max(0, ...counts);
    return hands > headcount ? hands : null;
  }

  private onRoomQuestion(cmd: Command): FormEffect[] {
    const counts = this.counts[this.index]!;
    const rows = counts.length;
    switch (cmd.kind) {
      case 'digit': {
        const draft = `${this.countDraft}${cmd.digit}`.replace(/^0+(?=\d)/, '').slice(0, MAX_COUNT_DIGITS);
        const tried = counts.slice();
        tried[this.row] = Number(draft);
        const over = this.overHeadcount(tried);
        if (over !== null) {
          this.notice = { key: 'qCountTooHigh', params: { count: over, headcount: this.headcount ?? 0 } };
          this.countDraft = '';
          return [];
        }
        this.countDraft = draft;
        counts[this.row] = Number(draft);
        return [];
      }
      case 'select':
        this.countDraft = '';
        if (this.row < rows - 1) this.row++;
        else this.goTo(this.index + 1);
        return [];
      case 'move':
        this.countDraft = '';
        if (cmd.dir === 'up') this.row = Math.max(0, this.row - 1);
        if (cmd.dir === 'down') this.row = Math.min(rows - 1, this.row + 1);
        if (cmd.dir === 'left') this.goTo(this.index - 1);
        if (cmd.dir === 'right') this.goTo(this.index + 1);
        return [];
      default:
        return [];
    }
  }

  private onReview(cmd: Command): FormEffect[] {
    if (cmd.kind === 'move' && cmd.dir === 'left') {
      this.phase = 'question';
      this.goTo(this.total - 1);
      return [];
    }
    if (cmd.kind !== 'select') return [];
    if (this.mode === 'member' && this.answeredCount === 0) {
      this.notice = { key: 'qPickFirst' };
      return [];
    }
    this.sending = true;
    return [{ kind: 'submit', body: this.body() }];
  }

  /** The agent took the answer. */
  sent(): void {
    this.sending = false;
    this.phase = 'done';
  }

  /** The agent refused or could not be reached: stay on review with the reason. */
  notSent(notice: FormNotice): void {
    this.sending = false;
    this.notice = notice;
  }

  /** The answer as the agent takes it (POST /local/answers). */
  body(): LocalAnswerBody {
    const base = { id: this.answerId, questionnaireId: this.questionnaire.id };
    if (this.mode === 'room') {
      return {
        ...base,
        room: { headcount: this.headcount ?? 0 },
        responses: this.counts.map((counts, question) => ({ question, counts: counts.slice() })),
      };
    }
    const responses: LocalResponse[] = [];
    this.questionnaire.questions.forEach((q, question) => {
      const picks = this.picks[question]!;
      if (picks.length === 0) return;
      responses.push(q.type === 'rating' ? { question, rating: picks[0]! + RATING_MIN } : { question, choices: picks.slice() });
    });
    return { ...base, memberNo: this.memberNo ?? '', responses };
  }
}
