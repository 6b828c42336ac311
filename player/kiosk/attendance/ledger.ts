// Turns one running total of watched seconds (the tracker's) into viewing sessions: one per program played.
// A program change on a channel, a channel change, or the end of a lecture closes the session and (if something
// countable plays) opens the next, which counts from that instant on. Pure: ids come from the caller's factory.
import type { LocalChannel } from '../src/api.ts';
import type { SessionReport } from './client.ts';

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
    return { id: c.id, programId: c.programId, channelId: c.channelId, mode: c.mode, watchedSeconds: round2(Math.max(0, total - c.base)), state };
  }

  /**
   * What plays now (null: nothing countable, e.g. the station slate between programs) and the total so far.
   * Returns the reports to send, in order (a close before an open).
   */
  update(playing: Playing | null, total: number): SessionReport[] {
    const out: SessionReport[] = [];
    if (this.current && (!playing || !same(this.current, playing))) {
      out.push(this.report(this.current, total, 'closed'));
      this.current = null;
    }
    if (playing && !this.current) {
      this.current = { ...playing, id: this.newId(), base: total };
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

/**
 * The program a channel has on air at `at` (epoch ms) according to the agent's now/next (fetched at `fetchedAt`):
 * a program id, null for a gap (the station slate), or undefined when the list does not reach that far (fetch again).
 */
export function programOnAir(channel: Pick<LocalChannel, 'now' | 'next'>, at: number, fetchedAt: number): number | null | undefined {
  const { now, next } = channel;
  if (now && at >= now.start && at < now.end) return now.programId;
  if (next && at >= next.start && at < next.end) return next.programId;
  if (now && at < now.start) return undefined;
  if (next ? at >= next.end : now && at >= now.end) return undefined;
  if (!now && !next) return at > fetchedAt + 60_000 ? undefined : null;
  return null;
}
