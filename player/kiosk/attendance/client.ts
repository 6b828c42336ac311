// Talks to the agent's local attendance routes. Session reports are snapshots, so only the latest per session
// matters: one that cannot be delivered (agent restarting) is kept and retried, and on page exit whatever is
// still owed goes out with sendBeacon, which the browser delivers even as the page unloads.
import type { LocalChannel } from '../src/api.ts';

export interface SessionReport {
  id: string;
  programId: number;
  channelId: number | null;
  mode: 'broadcast' | 'ondemand';
  watchedSeconds: number;
  state: 'open' | 'closed';
}

export interface SittingView {
  headcount: number | null;
  members: Array<{ memberNo: string; signedInAt: number }>;
}

export interface SessionAnswer {
  id: string;
  state: 'open' | 'closed';
  watchedSeconds: number;
  sitting: SittingView;
}

export class AttendanceClient {
  private readonly owed = new Map<string, SessionReport>();
  private retryTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly base = '') {}

  private async post<T>(path: string, body: unknown, keepalive = false): Promise<T> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      keepalive,
    });
    const text = await res.text();
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        /* keep the status */
      }
      throw Object.assign(new Error(message), { status: res.status });
    }
    return JSON.parse(text) as T;
  }

  /** Sends a snapshot; null if the agent could not be reached (it is kept and sent again). */
  async report(r: SessionReport): Promise<SessionAnswer | null> {
    try {
      const answer = await this.post<SessionAnswer>('/local/sessions', r, r.state === 'closed');
      const owed = this.owed.get(r.id);
      if (owed && owed.watchedSeconds <= r.watchedSeconds && (owed.state === r.state || r.state === 'closed')) this.owed.delete(r.id);
      return answer;
    } catch (err) {
      // A 4xx will not get better by retrying; anything else (agent down, restarting) is kept for later.
      const status = (err as { status?: number }).status;
      if (status === undefined || status >= 500) this.owe(r);
      return null;
    }
  }

  private owe(r: SessionReport): void {
    const prev = this.owed.get(r.id);
    if (!prev || prev.state !== 'closed' || r.state === 'closed') this.owed.set(r.id, r);
    if (!this.retryTimer) this.retryTimer = setInterval(() => void this.retry(), 5000);
  }

  private async retry(): Promise<void> {
    for (const r of [...this.owed.values()]) {
      if ((await this.report(r)) === null) return;
    }
    if (this.owed.size === 0 && this.retryTimer) {
      clearInterval(this.retryTimer);
      this.retryTimer = null;
    }
  }

  /** The page is going away: hand what is owed (and these final reports) to the browser to deliver. */
  beacon(finals: SessionReport[]): void {
    for (const r of finals) this.owed.set(r.id, r);
    for (const r of this.owed.values()) {
      const blob = new Blob([JSON.stringify(r)], { type: 'application/json' });
      if (!navigator.sendBeacon?.(this.base + '/local/sessions', blob)) {
        void fetch(this.base + '/local/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r), keepalive: true }).catch(() => undefined);
      }
    }
    this.owed.clear();
  }

  headcount(count: number): Promise<SittingView> {
    return this.post<SittingView>('/local/headcount', { count });
  }

  signIn(memberNo: string): Promise<SittingView> {
    return this.post<SittingView>('/local/members/signin', { memberNo });
  }

  async sitting(): Promise<SittingView | null> {
    try {
      const res = await fetch(this.base + '/local/sitting', { cache: 'no-store' });
      return res.ok ? ((await res.json()) as SittingView) : null;
    } catch {
      return null;
    }
  }

  async channels(): Promise<LocalChannel[] | null> {
    try {
      const res = await fetch(this.base + '/local/channels', { cache: 'no-store' });
      return res.ok ? ((await res.json()) as LocalChannel[]) : null;
    } catch {
      return null;
    }
  }

  dispose(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
  }
}
