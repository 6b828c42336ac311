// The province's link to the centre: pairs once with UPSTREAM_PAIR_CODE (the token is kept in the database), then
// sends the figures and the demand. Exactly once: every day is sent whole and the centre replaces what it held for
// that day; the province records only the days the centre acknowledged (with the digest of what it sent), so a
// lost answer, a restart mid-send or a day with the centre down means the day simply goes again next time.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connection.ts';
import {
  MAX_DAYS_PER_BATCH,
  type DayFigures,
  type DemandAck,
  type FiguresAck,
  type PlatformPairResult,
  type SendOutcome,
  type UpstreamStatus,
} from '../../common/api/platforms.ts';
import { conflict } from '../errors.ts';
import { addDays, eachDay, provinceDay } from '../attendance/days.ts';
import {
  acknowledgedDays,
  ensureLink,
  lastAcknowledgedDay,
  readLink,
  recordAcknowledged,
  recordLinkError,
  recordPaired,
  recordRevoked,
  recordSend,
} from './link-data.ts';
import { dayDigest, daysToConsider } from './figures.ts';
import { dayFigures, firstDayWithFigures, noCentralIds, openDemand, type CentralIdsOf } from './figures-data.ts';

export interface LinkSettings {
  upstreamUrl: string | undefined;
  upstreamPairCode: string | undefined;
  provinceTz: string;
  upstreamFiguresLevel: 'province' | 'prefecture' | 'county';
  upstreamResendDays: number;
}

/** A day older than this is never sent (a province paired late sends its last year). */
const MAX_BACK_DAYS = 366;
const CALL_TIMEOUT_MS = 60_000;

/** An answer from the centre that is not 2xx, with the centre's own message. */
export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class UpstreamLink {
  private readonly parts = new Map<string, () => unknown>();
  private centralIdsOf: CentralIdsOf = noCentralIds;
  private sending: Promise<SendOutcome> | undefined;
  private pairing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly settings: LinkSettings,
    private readonly log: FastifyBaseLogger,
  ) {
    if (settings.upstreamUrl) ensureLink(db, settings.upstreamUrl, new Date().toISOString());
  }

  get enabled(): boolean {
    return this.settings.upstreamUrl !== undefined;
  }

  /** Adds a part to GET /api/upstream under `name` (the mirror's progress: w13b). */
  registerPart(name: string, read: () => unknown): void {
    this.parts.set(name, read);
  }

  /** How local program ids map to central ones (the mirror's mapping: w13b); reach is keyed by them. */
  setCentralIds(fn: CentralIdsOf): void {
    this.centralIdsOf = fn;
  }

  /** The centre's URL and this province's token, for other calls to the centre (the mirror's feeds); null unpaired. */
  credentials(): { upstreamUrl: string; token: string } | null {
    const link = readLink(this.db);
    return link?.state === 'paired' && link.token ? { upstreamUrl: link.upstreamUrl, token: link.token } : null;
  }

  /** Pairs with UPSTREAM_PAIR_CODE unless already paired; failures are recorded, never thrown (the server still starts). */
  pair(): Promise<void> {
    this.pairing ??= this.pairOnce().finally(() => (this.pairing = undefined));
    return this.pairing;
  }

  private async pairOnce(): Promise<void> {
    const link = readLink(this.db);
    const code = this.settings.upstreamPairCode;
    if (!link || link.state === 'paired' || !code) return;
    try {
      const res = await this.call<PlatformPairResult>('/api/platforms/pair', { code }, null);
      recordPaired(this.db, res, new Date().toISOString());
      this.log.info({ platformId: res.platformId, regionId: res.regionId }, 'paired with the central platform');
    } catch (err) {
      const message = `pairing with the centre failed: ${(err as Error).message}`;
      recordLinkError(this.db, message, new Date().toISOString());
      this.log.warn({ err }, message);
    }
  }

  /** Sends every day not acknowledged (or changed since) and the open demand. One send at a time. */
  send(now = new Date()): Promise<SendOutcome> {
    this.sending ??= this.sendOnce(now).finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async sendOnce(now: Date): Promise<SendOutcome> {
    if (!this.enabled) throw conflict('This server has no UPSTREAM_URL: it follows no central platform.', 'no_upstream');
    // Not paired yet (the centre was down at start): try the code again. Revoked: only a restart with a new code.
    if (readLink(this.db)?.state === 'unpaired') await this.pair();
    const creds = this.credentials();
    if (!creds) {
      throw conflict(
        'This province is not paired with the centre: set UPSTREAM_PAIR_CODE to a code from the central operator and restart.',
        'not_paired',
      );
    }
    const acknowledged: string[] = [];
    let demandItems = 0;
    let error: string | null = null;
    try {
      const pending = this.pendingFigures(now);
      for (let i = 0; i < pending.length; i += MAX_DAYS_PER_BATCH) {
        const batch = pending.slice(i, i + MAX_DAYS_PER_BATCH);
        const ack = await this.call<FiguresAck>('/api/platforms/me/figures', { sentAt: now.toISOString(), days: batch }, creds.token);
        recordAcknowledged(this.db, new Map(batch.map((d) => [d.day, dayDigest(d)])), ack.acknowledged, new Date().toISOString());
        acknowledged.push(...ack.acknowledged);
      }
      const items = openDemand(this.db, this.settings.upstreamFiguresLevel);
      demandItems = (await this.call<DemandAck>('/api/platforms/me/demand', { sentAt: now.toISOString(), items }, creds.token)).items;
    } catch (err) {
      error = (err as Error).message;
      if (err instanceof UpstreamError && err.status === 401) recordRevoked(this.db, error, now.toISOString());
      this.log.warn(
        { err, acknowledged: acknowledged.length },
        'sending figures to the centre failed; the days not acknowledged go next time',
      );
    }
    const outcome: SendOutcome = { at: now.toISOString(), ok: error === null, days: acknowledged, demandItems, error };
    recordSend(this.db, outcome);
    if (!error) this.log.info({ days: acknowledged.length, demandItems }, 'figures sent to the centre');
    return outcome;
  }

  /** Every day a send may carry, oldest first: from the first recorded day (at most a year back) to today. */
  private candidateDays(now: Date): { today: string; days: string[] } {
    const today = provinceDay(now.getTime(), this.settings.provinceTz);
    const oldest = addDays(today, -MAX_BACK_DAYS);
    const first = firstDayWithFigures(this.db) ?? today;
    const start = [oldest, first, today].sort()[1]; // the first day, clamped to [a year back, today]
    return { today, days: eachDay(start, today) };
  }

  /** The days to send now, oldest first, each with its figures: not acknowledged, or changed since. */
  pendingFigures(now: Date): DayFigures[] {
    const { today, days } = this.candidateDays(now);
    const held = acknowledgedDays(this.db);
    const consider = daysToConsider(days, today, addDays(today, -this.settings.upstreamResendDays), new Set(held.keys()));
    const settings = { level: this.settings.upstreamFiguresLevel, centralIdsOf: this.centralIdsOf };
    return consider.map((day) => dayFigures(this.db, day, settings)).filter((d) => held.get(d.day) !== dayDigest(d));
  }

  /** Days never acknowledged (cheap: no figures computed; a changed day shows only once it is sent again). */
  private unacknowledgedDays(now: Date): number {
    const held = acknowledgedDays(this.db);
    return this.candidateDays(now).days.filter((d) => !held.has(d)).length;
  }

  status(now = new Date()): UpstreamStatus {
    const link = readLink(this.db);
    const parts = Object.fromEntries([...this.parts].map(([name, read]) => [name, read()]));
    if (!this.enabled || !link) {
      return {
        state: 'standalone',
        upstreamUrl: null,
        platformId: null,
        regionId: null,
        regionName: null,
        pairedAt: null,
        lastError: null,
        lastSend: null,
        lastAcknowledgedDay: null,
        pendingDays: 0,
        parts,
      };
    }
    return {
      state: link.state,
      upstreamUrl: link.upstreamUrl,
      platformId: link.platformId,
      regionId: link.regionId,
      regionName: link.regionName,
      pairedAt: link.pairedAt,
      lastError: link.lastError,
      lastSend: link.lastSend,
      lastAcknowledgedDay: lastAcknowledgedDay(this.db),
      pendingDays: this.unacknowledgedDays(now),
      parts,
    };
  }

  private async call<T>(path: string, body: unknown, token: string | null): Promise<T> {
    const url = `${this.settings.upstreamUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new Error(`the centre at ${this.settings.upstreamUrl} could not be reached (${cause})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = `the centre answered ${res.status}`;
      try {
        message += `: ${(JSON.parse(text) as { error: { message: string } }).error.message}`;
      } catch {
        // not our error shape (a proxy's page): the status says enough
      }
      throw new UpstreamError(res.status, message);
    }
    return JSON.parse(text) as T;
  }
}
