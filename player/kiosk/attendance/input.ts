// Remote and card-reader input for attendance, as pure state machines the DOM layer feeds with keys and instants.
//
// CardReaderBurst: a card reader that "types like a keyboard" sends its digits a few milliseconds apart and
// usually Enter after them; a person on a remote is ten times slower. Digits are held back briefly so a swiped
// card never reaches the kiosk as a channel number; anything that is not a burst is released unchanged.
//
// PanelModel: the corner panel that asks how many people are watching and takes member numbers, without
// stopping playback. 'prompt' (shown when a program starts) takes digits only, so arrows still zap channels;
// once the viewer types or opens it on purpose it is 'active' and also takes Up/Down, Enter and Back.

export const isDigitKey = (key: string): boolean => key.length === 1 && key >= '0' && key <= '9';

export interface BurstOptions {
  /** Longest gap between two characters of one swipe, ms. */
  maxGapMs: number;
  /** A burst this long counts as a card even without Enter. */
  autoAcceptDigits: number;
  /** Shortest member number accepted from a reader. */
  minDigits: number;
}

export const DEFAULT_BURST: BurstOptions = { maxGapMs: 45, autoAcceptDigits: 8, minDigits: 4 };

export type BurstOutcome =
  /** Keep holding: more may come. */
  | { kind: 'hold' }
  /** A card was read. */
  | { kind: 'card'; memberNo: string }
  /** Not a card: hand these keys on as if typed now. */
  | { kind: 'release'; keys: string[] };

export class CardReaderBurst {
  private keys: string[] = [];
  private times: number[] = [];

  constructor(private readonly o: BurstOptions = DEFAULT_BURST) {}

  get holding(): boolean {
    return this.keys.length > 0;
  }

  /** How long to wait after the last digit before deciding (ms). */
  get holdMs(): number {
    return this.o.maxGapMs + 15;
  }

  digit(key: string, at: number): BurstOutcome {
    const last = this.times[this.times.length - 1];
    if (last !== undefined && at - last > this.o.maxGapMs) {
      // A slow digit after a held one: the held one was typed by hand. Release it and hold the new one.
      const released = this.take();
      this.keys = [key];
      this.times = [at];
      return released.kind === 'card' ? released : { kind: 'release', keys: released.kind === 'release' ? released.keys : [] };
    }
    this.keys.push(key);
    this.times.push(at);
    return { kind: 'hold' };
  }

  /** Enter arrived: a fast run of enough digits just before it is a card; the Enter is then swallowed too. */
  enter(at: number): BurstOutcome {
    const last = this.times[this.times.length - 1];
    if (last !== undefined && this.keys.length >= this.o.minDigits && at - last <= this.o.maxGapMs * 2 && this.isBurst()) {
      const memberNo = this.keys.join('');
      this.reset();
      return { kind: 'card', memberNo };
    }
    const keys = this.keys;
    this.reset();
    return { kind: 'release', keys };
  }

  /** Nothing followed for holdMs: decide. */
  timeout(): BurstOutcome {
    return this.take();
  }

  private take(): BurstOutcome {
    if (this.keys.length >= this.o.autoAcceptDigits && this.isBurst()) {
      const memberNo = this.keys.join('');
      this.reset();
      return { kind: 'card', memberNo };
    }
    const keys = this.keys;
    this.reset();
    return { kind: 'release', keys };
  }

  private isBurst(): boolean {
    for (let i = 1; i < this.times.length; i++) if (this.times[i]! - this.times[i - 1]! > this.o.maxGapMs) return false;
    return this.times.length > 1;
  }

  private reset(): void {
    this.keys = [];
    this.times = [];
  }
}

export type PanelMode = 'hidden' | 'prompt' | 'active';
export type PanelField = 'headcount' | 'member';

export type PanelEffect = { kind: 'setHeadcount'; count: number } | { kind: 'signIn'; memberNo: string };

export interface PanelTimings {
  /** A typed headcount is taken after this pause even without Enter. */
  commitPauseMs: number;
  /** The program-start prompt goes away after this long untouched. */
  promptMs: number;
  /** The opened panel goes away after this long untouched. */
  activeMs: number;
}

export const DEFAULT_PANEL_TIMINGS: PanelTimings = { commitPauseMs: 2000, promptMs: 12_000, activeMs: 20_000 };

export const MAX_HEADCOUNT = 999;

export class PanelModel {
  mode: PanelMode = 'hidden';
  field: PanelField = 'headcount';
  headcountDraft = '';
  memberDraft = '';
  private lastInputAt = 0;

  constructor(private readonly timings: PanelTimings = DEFAULT_PANEL_TIMINGS) {}

  /** A program started: ask in the corner (digits answer; other keys keep working for the kiosk). */
  prompt(at: number): void {
    if (this.mode === 'active') return;
    this.mode = 'prompt';
    this.field = 'headcount';
    this.headcountDraft = '';
    this.lastInputAt = at;
  }

  /** Opened on purpose (a key, or the kiosk's menu). */
  open(at: number, field: PanelField = 'headcount'): void {
    this.mode = 'active';
    this.field = field;
    this.lastInputAt = at;
  }

  close(): PanelEffect[] {
    const effects = this.commitHeadcount();
    this.mode = 'hidden';
    this.memberDraft = '';
    return effects;
  }

  /** A key while shown. consumed=false lets the kiosk have it. */
  key(key: string, at: number): { consumed: boolean; effects: PanelEffect[] } {
    if (this.mode === 'hidden') return { consumed: false, effects: [] };
    if (isDigitKey(key)) {
      this.mode = 'active';
      this.lastInputAt = at;
      if (this.field === 'headcount') this.headcountDraft = (this.headcountDraft + key).replace(/^0+/, '').slice(0, 3);
      else this.memberDraft = (this.memberDraft + key).slice(0, 64);
      return { consumed: true, effects: [] };
    }
    if (this.mode === 'prompt') {
      if (key === 'Enter' && this.headcountDraft) return { consumed: true, effects: this.commitHeadcount() };
      return { consumed: false, effects: [] };
    }
    this.lastInputAt = at;
    switch (key) {
      case 'ArrowUp':
      case 'ArrowDown': {
        const effects = this.field === 'headcount' ? this.commitHeadcount() : [];
        this.field = this.field === 'headcount' ? 'member' : 'headcount';
        return { consumed: true, effects };
      }
      case 'ArrowLeft':
      case 'ArrowRight':
        return { consumed: true, effects: [] };
      case 'Enter':
      case 'OK':
      case 'Select':
        if (this.field === 'headcount') return { consumed: true, effects: this.commitHeadcount() };
        return { consumed: true, effects: this.commitMember() };
      case 'Backspace':
        if (this.field === 'member' && this.memberDraft) this.memberDraft = this.memberDraft.slice(0, -1);
        else if (this.field === 'headcount' && this.headcountDraft) this.headcountDraft = this.headcountDraft.slice(0, -1);
        else return { consumed: true, effects: this.close() };
        return { consumed: true, effects: [] };
      case 'Escape':
      case 'BrowserBack':
      case 'GoBack':
        return { consumed: true, effects: this.close() };
      default:
        return { consumed: false, effects: [] };
    }
  }

  /** Time passes: take a typed headcount after a pause, hide when untouched. */
  tick(at: number): PanelEffect[] {
    if (this.mode === 'hidden') return [];
    const idle = at - this.lastInputAt;
    const effects = this.headcountDraft && idle >= this.timings.commitPauseMs ? this.commitHeadcount() : [];
    const limit = this.mode === 'prompt' ? this.timings.promptMs : this.timings.activeMs;
    if (idle >= limit) effects.push(...this.close());
    return effects;
  }

  private commitHeadcount(): PanelEffect[] {
    const n = Number(this.headcountDraft);
    this.headcountDraft = '';
    if (!Number.isInteger(n) || n < 1 || n > MAX_HEADCOUNT) return [];
    return [{ kind: 'setHeadcount', count: n }];
  }

  private commitMember(): PanelEffect[] {
    const no = this.memberDraft;
    this.memberDraft = '';
    return no ? [{ kind: 'signIn', memberNo: no }] : [];
  }
}
