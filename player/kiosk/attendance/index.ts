// Attendance on the TV. The kiosk calls, when a screen starts playing,
//   const att = attachAttendance(video, { mode: 'broadcast', channelId: () => this.channelId, lang: () => app.lang, container: el });
//   ...
//   att.detach();   // when the screen goes away
// and gets: watched time measured from real playback, one viewing session per program played (reported to the
// agent's /local/sessions), the headcount asked in a corner when a program starts, and member sign-in with the
// remote's digits or a card reader. The panel and the key handling are one per page (the sitting), the
// tracking is one per attached <video>.
import { api, HttpError, type SessionReport, type Sitting } from '../src/api.ts';
import { SessionOutbox } from './outbox.ts';
import { CardReaderBurst, isDigitKey, PanelModel, type BurstOutcome, type PanelEffect, type PanelField } from './input.ts';
import { openFromOnScreen, ScheduleMemory, SessionLedger, type Playing } from './ledger.ts';
import { PanelView } from './panel-view.ts';
import { parseLang, t, type Lang } from '../src/i18n.ts';
import { newId } from '../src/ids.ts';
import { WatchTracker, type TrackerEvent } from './tracker.ts';

type Getter<T> = T | (() => T);
const read = <T>(g: Getter<T>): T => (typeof g === 'function' ? (g as () => T)() : g);

export interface AttachOptions {
  mode: 'broadcast' | 'ondemand';
  /** On demand: the lecture playing. */
  programId?: number;
  /** Broadcast: the channel tuned (a getter when the same <video> changes channel). */
  channelId?: Getter<number | null>;
  lang?: Getter<Lang | string>;
  /** Where the corner panel goes (the playing screen); default document.body. */
  container?: HTMLElement;
  /** Broadcast: the wall-clock instant (epoch ms) of the picture on screen, if the player knows it (hls.playingDate). */
  playingDate?: () => number | null;
  /** Seconds a program must have played before the headcount is asked (not while zapping). Default 5. */
  promptAfterSeconds?: number;
  /** Progress is reported this often while playing, ms. Default 10 000. */
  reportEveryMs?: number;
}

export interface AttendanceHandle {
  /** Closes the open session and stops tracking this video. */
  detach(): void;
  /** Opens the panel on purpose (for a kiosk menu entry). */
  openPanel(field?: PanelField): void;
  /** Seconds of real playback seen by this attachment so far. */
  readonly watchedSeconds: number;
  /** The open session's id, if any. */
  readonly sessionId: string | null;
}

/** Keys that open the panel at any time (a remote's red key, or a keyboard's). The kiosk may also call openPanel(). */
export const OPEN_PANEL_KEYS = ['ColorF0Red', 'F2', 'h', 'H', '*', '#'];

function asLang(v: string | undefined): Lang {
  return parseLang(v) ?? 'zh';
}

/** The page-wide part: one panel, one key handler, one view of the sitting. */
class SittingUi {
  readonly model = new PanelModel();
  readonly view = new PanelView();
  readonly burst = new CardReaderBurst();
  readonly outbox = new SessionOutbox();
  sitting: Sitting | null = null;
  lang: () => Lang = () => 'zh';
  private burstTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly synthetic = new WeakSet<Event>();
  private readonly tickTimer: ReturnType<typeof setInterval>;
  private readonly onKey = (e: KeyboardEvent) => this.key(e);
  users = 0;

  constructor() {
    // Capture phase on window: we see a key before the kiosk's own handlers and can keep it from them.
    window.addEventListener('keydown', this.onKey, { capture: true });
    this.tickTimer = setInterval(() => this.apply(this.model.tick(Date.now())), 250);
    api.sitting().then(
      (s) => {
        this.sitting = s;
      },
      () => undefined,
    );
  }

  render(): void {
    this.view.render(this.model, this.sitting, this.lang());
  }

  prompt(): void {
    this.model.prompt(Date.now());
    this.render();
  }

  open(field: PanelField = 'headcount'): void {
    this.model.open(Date.now(), field);
    this.render();
  }

  private stop(e: KeyboardEvent): void {
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  private key(e: KeyboardEvent): void {
    if (this.synthetic.has(e)) return;
    const now = Date.now();
    if (isDigitKey(e.key)) {
      this.stop(e);
      // A remote key held down repeats fast, like a card reader: a repeat is never a new digit.
      if (e.repeat) return;
      this.onBurst(this.burst.digit(e.key, now));
      if (this.burstTimer) clearTimeout(this.burstTimer);
      this.burstTimer = setTimeout(() => this.onBurst(this.burst.timeout()), this.burst.holdMs);
      return;
    }
    if (e.key === 'Enter' && this.burst.holding) {
      if (this.burstTimer) clearTimeout(this.burstTimer);
      const outcome = this.burst.enter(now);
      if (outcome.kind === 'card') {
        this.stop(e);
        this.onBurst(outcome);
        return;
      }
      this.onBurst(outcome); // hand-typed digits go first, then this Enter carries on below
    }
    if (OPEN_PANEL_KEYS.includes(e.key)) {
      this.stop(e);
      if (this.model.mode === 'active') this.apply(this.model.close());
      else this.open();
      return;
    }
    const { consumed, effects } = this.model.key(e.key, now);
    if (consumed) {
      this.stop(e);
      this.apply(effects);
    }
  }

  private onBurst(outcome: BurstOutcome): void {
    if (outcome.kind === 'card') {
      this.apply([{ kind: 'signIn', memberNo: outcome.memberNo }]);
      return;
    }
    if (outcome.kind !== 'release') return;
    for (const key of outcome.keys) {
      if (this.model.mode !== 'hidden') {
        this.apply(this.model.key(key, Date.now()).effects);
      } else {
        // Typed by hand with the panel closed: the kiosk's (channel numbers), delivered as if just pressed.
        const ev = new KeyboardEvent('keydown', { key, code: `Digit${key}`, bubbles: true, cancelable: true });
        this.synthetic.add(ev);
        (document.activeElement ?? document.body).dispatchEvent(ev);
      }
    }
  }

  apply(effects: PanelEffect[]): void {
    for (const fx of effects) {
      if (fx.kind === 'setHeadcount') {
        api.headcount(fx.count).then(
          (s) => {
            this.sitting = s;
            this.view.toast(t(this.lang(), 'attSavedHeadcount', { n: fx.count }));
            this.render();
          },
          () => this.view.toast(t(this.lang(), 'attFailed'), true),
        );
      } else {
        api.signIn(fx.memberNo).then(
          (s) => {
            this.sitting = s;
            this.view.toast(t(this.lang(), 'attSignedIn', { no: fx.memberNo }));
            this.render();
          },
          (err: unknown) =>
            this.view.toast(
              err instanceof HttpError && err.status === 400
                ? t(this.lang(), 'attBadMember', { msg: err.message })
                : t(this.lang(), 'attFailed'),
              true,
            ),
        );
      }
    }
    this.render();
  }

  dispose(): void {
    window.removeEventListener('keydown', this.onKey, { capture: true });
    clearInterval(this.tickTimer);
    if (this.burstTimer) clearTimeout(this.burstTimer);
    this.outbox.dispose();
    this.view.remove();
  }
}

let ui: SittingUi | null = null;

/** Starts tracking one <video>. See the top of this file. */
export function attachAttendance(video: HTMLVideoElement, opts: AttachOptions): AttendanceHandle {
  if (!ui) ui = new SittingUi();
  const sitting = ui;
  sitting.users++;
  sitting.lang = () => asLang(read(opts.lang ?? 'zh') ?? 'zh');
  sitting.view.mount(opts.container ?? document.body);
  const outbox = sitting.outbox;

  const tracker = new WatchTracker({ hidden: document.hidden });
  const ledger = new SessionLedger(newId);
  const promptAfter = opts.promptAfterSeconds ?? 5;
  let started = false;
  let promptFor: string | null = null;
  /** The tracker's total when playback started on a picture not yet placed in the schedule. */
  let undecidedSince: number | null = null;
  let detached = false;
  const schedules = new Map<number, ScheduleMemory>();
  let fetching = false;
  let lastFetchAt = 0;
  /** Broadcast: the instant on screen at the last evaluation and when the program there began (if known). */
  let onScreen: { at: number; programStart: number | undefined } | null = null;

  const total = () => tracker.watchedSeconds;

  function send(r: SessionReport | null): void {
    if (!r) return;
    void outbox.report(r).then((answer) => {
      if (!answer) return;
      sitting.sitting = answer.sitting;
      if (answer.state === 'closed' && r.state === 'open') send(ledger.continueAfterAgentClosed(r.id, answer.watchedSeconds, total()));
    });
  }

  function refetchSchedule(now: number): void {
    if (fetching || now - lastFetchAt < 4000) return;
    fetching = true;
    lastFetchAt = now;
    void api
      .channels()
      .then(
        (list) => list,
        () => null,
      )
      .then((list) => {
        fetching = false;
        const at = Date.now();
        for (const c of list ?? []) {
          if (!schedules.has(c.id)) schedules.set(c.id, new ScheduleMemory());
          schedules.get(c.id)!.add(c, at);
        }
        evaluate();
      });
  }

  /** The program on screen now: a Playing, null (nothing countable), or 'keep' (not known yet: leave as is). */
  function playingNow(now: number): Playing | null | 'keep' {
    if (!started) return null;
    if (opts.mode === 'ondemand') return opts.programId ? { programId: opts.programId, channelId: null, mode: 'ondemand' } : null;
    const channelId = read(opts.channelId ?? null);
    if (!channelId) return null;
    const memory = schedules.get(channelId);
    if (!memory) {
      refetchSchedule(now);
      return 'keep';
    }
    const at = opts.playingDate?.() ?? playheadEstimate(now);
    const programId = memory.programAt(at);
    onScreen = { at, programStart: memory.programStartAt(at) };
    // Asked again every few seconds whatever the answer: each program must be seen as "now" or "next" at least
    // once, or a short one between two known ones would look like the slate.
    refetchSchedule(now);
    if (programId === undefined) return 'keep';
    return programId === null ? null : { programId, channelId, mode: 'broadcast' };
  }

  /** Live: the picture is behind the live edge by (edge - currentTime); without an edge, hls.js sits ~3 segments back. */
  function playheadEstimate(now: number): number {
    const s = video.seekable;
    if (s.length > 0) {
      const edge = s.end(s.length - 1);
      if (Number.isFinite(edge) && edge >= video.currentTime) return now - (edge - video.currentTime) * 1000;
    }
    return now - 12_000;
  }

  function evaluate(): void {
    if (detached) return;
    const now = Date.now();
    const playing = playingNow(now);
    if (playing === 'keep') {
      // Playing, but what is on screen is not known yet: it will count from here once it is.
      if (!ledger.session && started) undecidedSince ??= total();
    } else {
      const openFrom =
        undecidedSince === null ? total() : openFromOnScreen(undecidedSince, total(), onScreen?.at ?? 0, onScreen?.programStart);
      for (const r of ledger.update(playing, total(), openFrom)) {
        send(r);
        if (r.state === 'open') promptFor = r.id;
      }
      undecidedSince = null;
    }
    // Ask the headcount once the viewer has stayed on the program a few seconds (not while zapping).
    const s = ledger.session;
    if (s && promptFor === s.id && total() - s.base >= promptAfter) {
      promptFor = null;
      sitting.prompt();
    }
  }

  function feed(e: TrackerEvent): void {
    tracker.feed(e);
    evaluate();
  }

  const t = () => video.currentTime;
  const handlers: Record<string, () => void> = {
    playing: () => {
      started = true;
      feed({ type: 'playing', at: Date.now(), t: t() });
    },
    timeupdate: () => feed({ type: 'timeupdate', at: Date.now(), t: t(), rate: video.playbackRate }),
    pause: () => {
      feed({ type: 'pause', at: Date.now(), t: t() });
      send(ledger.progress(total()));
    },
    waiting: () => feed({ type: 'waiting', at: Date.now(), t: t() }),
    seeking: () => feed({ type: 'seeking', at: Date.now(), t: t() }),
    seeked: () => feed({ type: 'seeked', at: Date.now(), t: t() }),
    ended: () => {
      feed({ type: 'ended', at: Date.now(), t: t() });
      started = false;
      evaluate();
    },
    emptied: () => {
      // The player reloaded its source (a recovery, or a channel change): counting stops until it plays again.
      // The session stays open: the same program continuing is the same viewing; a channel change is seen by
      // the channelId getter and closes it.
      feed({ type: 'emptied', at: Date.now() });
    },
  };
  for (const [ev, fn] of Object.entries(handlers)) video.addEventListener(ev, fn);
  const onVisibility = () => {
    feed({ type: 'visibility', at: Date.now(), hidden: document.hidden });
    if (document.hidden) send(ledger.progress(total()));
  };
  document.addEventListener('visibilitychange', onVisibility);
  const onPageHide = () => {
    tracker.feed({ type: 'pause', at: Date.now(), t: t() });
    const last = ledger.close(total());
    outbox.beacon(last ? [last] : []);
  };
  window.addEventListener('pagehide', onPageHide);
  const progressTimer = setInterval(() => {
    // A sample now, so the report is current even between timeupdates.
    if (!video.paused) tracker.feed({ type: 'timeupdate', at: Date.now(), t: t(), rate: video.playbackRate });
    evaluate();
    send(ledger.progress(total()));
  }, opts.reportEveryMs ?? 10_000);

  // Attached to a video already playing: start counting from now.
  if (!video.paused && video.readyState >= 3) handlers.playing!();
  if (opts.mode === 'broadcast') refetchSchedule(Date.now());

  return {
    detach() {
      if (detached) return;
      if (!video.paused) tracker.feed({ type: 'pause', at: Date.now(), t: t() });
      send(ledger.close(total()));
      detached = true;
      clearInterval(progressTimer);
      for (const [ev, fn] of Object.entries(handlers)) video.removeEventListener(ev, fn);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
      sitting.users--;
      if (sitting.users <= 0) {
        // Nothing plays: the panel closes, but a card swiped on the home screen still signs its member in.
        sitting.apply(sitting.model.close());
        sitting.view.mount(document.body);
      }
    },
    openPanel(field?: PanelField) {
      sitting.open(field);
    },
    get watchedSeconds() {
      return tracker.watchedSeconds;
    },
    get sessionId() {
      return ledger.session?.id ?? null;
    },
  };
}
