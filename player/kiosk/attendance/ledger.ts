// Turns one running total of watched seconds (the tracker's) into viewing sessions: one per program played.
// A program change on a channel, a channel change, or the end of a lecture closes the session and (if something
// countable plays) opens the next, which counts from that instant on. Pure: ids come from the caller's factory.
import type { LocalChannel, SessionReport } from '../src/api.ts';

export interface Playing {
  programId: number;
  channelId: number | null;
  mode: 'broadcast' | 'ondemand';
}

interface Current extends Playing {
  id: string;
  /** The tracker's total when this session opened. */
  base: number;
}

const same = (a: Playing, b: Playing) => a.programId === b.programId && a.channelId === b.channelId && a.mode === b.mode;
const round2 = (x: number) => Math.round(x * 100) / 100;

export class SessionLedger {
  private current: Current | null = null;

  constructor(private readonly newId: () => string) {}

  get session(): Readonly<Current> | null {
    return this.current;
  }

  private report(c: Current, total: number, state: 'open' | 'closed'): SessionReport {
    return {
      id: c.id,
      programId: c.programId,
      channelId: c.channelId,
      mode: c.mode,
      watchedSeconds: round2(Math.max(0, total - c.base)),
      state,
    };
  }

  /**
   * What plays now (null: nothing countable, e.g. the station slate between programs) and the total so far.
   * `openFrom`: the total when the picture started, if what it showed was only learnt now (a new session then
   * counts from that point, so the first seconds on screen are not lost). Returns the reports to send, in
   * order (a close before an open).
   */
  update(playing: Playing | null, total: number, openFrom = total): SessionReport[] {
    const out: SessionReport[] = [];
    if (this.current && (!playing || !same(this.current, playing))) {
      out.push(this.report(this.current, total, 'closed'));
      this.current = null;
    }
    if (playing && !this.current) {
      this.current = { ...playing, id: this.newId(), base: Math.min(openFrom, total) };
      out.push(this.report(this.current, total, 'open'));
    }
    return out;
  }

  /** A progress snapshot of the open session, if any. */
  progress(total: number): SessionReport | null {
    return this.current ? this.report(this.current, total, 'open') : null;
  }

  /** Closes whatever is open (the viewer left, the lecture ended, the page goes away). */
  close(total: number): SessionReport | null {
    if (!this.current) return null;
    const r = this.report(this.current, total, 'closed');
    this.current = null;
    return r;
  }

  /**
   * The agent answered that session `id` is closed while we thought it open (it restarted and closed it at its
   * last progress, `agentWatched` seconds). The same program continues as a new session counting from there,
   * so no second is lost and none is counted twice.
   */
  continueAfterAgentClosed(id: string, agentWatched: number, total: number): SessionReport | null {
    if (!this.current || this.current.id !== id) return null;
    const base = Math.min(total, this.current.base + agentWatched);
    this.current = { ...this.current, id: this.newId(), base };
    return this.report(this.current, total, 'open');
  }
}

/** What /local/channels says of one channel (an older agent may not give `previous`). */
type GuideAnswer = Pick<LocalChannel, 'now' | 'next'> & Partial<Pick<LocalChannel, 'previous'>>;

interface Slot {
  programId: number | null;
  start: number;
  end: number;
}

/**
 * What a channel airs when, remembered from the agent's previous/now/next answers. The picture runs some seconds
 * behind the clock (hls.js sits a few segments back from the live edge), so the program on screen can be one the
 * agent already calls "past": the previous item and the slots seen keep it known (short programs included).
 */
export class ScheduleMemory {
  private readonly slots = new Map<number, Slot>();

  add(channel: GuideAnswer, fetchedAt: number): void {
    // The previous item too: right after a boundary the picture (behind the clock) still shows it.
    for (const s of [channel.previous ?? null, channel.now, channel.next]) {
      if (s) this.slots.set(s.start, { programId: s.programId, start: s.start, end: s.end });
    }
    // Nothing on air when asked: the slate, from then until the next item (or for a minute if none is known).
    if (!channel.now) {
      const end = channel.next ? channel.next.start : fetchedAt + 60_000;
      if (end > fetchedAt) this.slots.set(fetchedAt, { programId: null, start: fetchedAt, end });
    }
    // A few hours of history is plenty; a kiosk runs for days.
    for (const [start, s] of this.slots) if (s.end < fetchedAt - 6 * 3600_000) this.slots.delete(start);
  }

  /** When the program slot around `at` started (epoch ms); undefined for the slate or when not known. */
  programStartAt(at: number): number | undefined {
    for (const s of this.slots.values()) if (s.programId !== null && at >= s.start && at < s.end) return s.start;
    return undefined;
  }

  /** A program id, null for the slate (a gap, or nothing scheduled), or undefined when not known yet (fetch again). */
  programAt(at: number): number | null | undefined {
    let first = Infinity;
    let last = -Infinity;
    let slate = false;
    for (const s of this.slots.values()) {
      if (at >= s.start && at < s.end) {
        if (s.programId !== null) return s.programId;
        slate = true; // a program slot overlapping a remembered slate wins
      }
      first = Math.min(first, s.start);
      last = Math.max(last, s.end);
    }
    if (slate) return null;
    if (at < first || at >= last) return undefined;
    return null; // between two known slots: the slate
  }
}

/**
 * The program a channel has on air at `at` (epoch ms) from one now/next answer fetched at `fetchedAt`.
 */
export function programOnAir(channel: GuideAnswer, at: number, fetchedAt: number): number | null | undefined {
  const memory = new ScheduleMemory();
  memory.add(channel, fetchedAt);
  return memory.programAt(at);
}

/**
 * Where a session placed late opens (a tracker total): from when the picture started (`undecidedSince`), but never
 * before the program itself began on screen. A picture that started on the slate or the previous item before this
 * program (`at` is the instant on screen now, `programStart` the program's start) counts only the program's own
 * seconds: the rest were watched, but of something else.
 */
export function openFromOnScreen(undecidedSince: number, total: number, at: number, programStart: number | undefined): number {
  if (programStart === undefined) return undecidedSince;
  return Math.min(total, Math.max(undecidedSince, total - Math.max(0, (at - programStart) / 1000)));
}
