// Session reports on their way to the agent. Reports are snapshots, so only the latest per session matters: one
// that cannot be delivered (agent restarting) is kept and retried, and on page exit whatever is still owed goes
// out with sendBeacon, which the browser delivers even as the page unloads. The calls themselves go through the
// kiosk's one API client (src/api.ts).
import { api, beaconSessions, HttpError, type SessionAnswer, type SessionReport } from '../src/api.ts';

export class SessionOutbox {
  private readonly owed = new Map<string, SessionReport>();
  private retryTimer: ReturnType<typeof setInterval> | null = null;

  /** Sends a snapshot; null if the agent could not be reached (it is kept and sent again). */
  async report(r: SessionReport): Promise<SessionAnswer | null> {
    try {
      const answer = await api.reportSession(r, r.state === 'closed');
      const owed = this.owed.get(r.id);
      if (owed && owed.watchedSeconds <= r.watchedSeconds && (owed.state === r.state || r.state === 'closed')) this.owed.delete(r.id);
      return answer;
    } catch (err) {
      // A 4xx will not get better by retrying; anything else (agent down, restarting) is kept for later.
      if (!(err instanceof HttpError) || err.status >= 500) this.owe(r);
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
    beaconSessions([...this.owed.values()]);
    this.owed.clear();
  }

  dispose(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
  }
}
