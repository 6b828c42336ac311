// The province's side of the link, in its own database: the one upstream_link row (the centre's URL, the platform
// token, the state) and upstream_sends (which days the centre acknowledged, with the digest of what it holds).
import type { Db } from '../db/connection.ts';
import type { LinkState, SendOutcome } from '../../common/api/platforms.ts';

export interface LinkRow {
  upstreamUrl: string;
  state: Exclude<LinkState, 'standalone'>;
  token: string | null;
  platformId: number | null;
  regionId: number | null;
  regionName: string | null;
  pairedAt: string | null;
  lastError: string | null;
  lastSend: SendOutcome | null;
}

export function readLink(db: Db): LinkRow | undefined {
  const row = db
    .prepare<[], Omit<LinkRow, 'lastSend'> & { lastSend: string | null }>(
      `SELECT upstream_url AS upstreamUrl, state, token, platform_id AS platformId, region_id AS regionId, region_name AS regionName,
            paired_at AS pairedAt, last_error AS lastError, last_send AS lastSend FROM upstream_link WHERE id = 1`,
    )
    .get();
  return row && { ...row, lastSend: row.lastSend ? (JSON.parse(row.lastSend) as SendOutcome) : null };
}

/** The link row for this URL, created unpaired when absent. A changed UPSTREAM_URL keeps the token (same centre, new address). */
export function ensureLink(db: Db, upstreamUrl: string, now: string): LinkRow {
  db.prepare(
    `INSERT INTO upstream_link (id, upstream_url, state, updated_at) VALUES (1, ?, 'unpaired', ?)
       ON CONFLICT (id) DO UPDATE SET upstream_url = excluded.upstream_url WHERE upstream_url <> excluded.upstream_url`,
  ).run(upstreamUrl, now);
  return readLink(db)!;
}

export function recordPaired(db: Db, p: { token: string; platformId: number; regionId: number; regionName: string }, now: string): void {
  db.prepare(
    `UPDATE upstream_link SET state = 'paired', token = ?, platform_id = ?, region_id = ?, region_name = ?, paired_at = ?,
            last_error = NULL, updated_at = ? WHERE id = 1`,
  ).run(p.token, p.platformId, p.regionId, p.regionName, now, now);
}

export function recordLinkError(db: Db, message: string, now: string): void {
  db.prepare('UPDATE upstream_link SET last_error = ?, updated_at = ? WHERE id = 1').run(message, now);
}

/** The centre refused the token: it is dropped (a new UPSTREAM_PAIR_CODE pairs again at the next start). */
export function recordRevoked(db: Db, message: string, now: string): void {
  db.prepare("UPDATE upstream_link SET state = 'revoked', token = NULL, last_error = ?, updated_at = ? WHERE id = 1").run(message, now);
}

export function recordSend(db: Db, outcome: SendOutcome): void {
  db.prepare('UPDATE upstream_link SET last_send = ?, last_error = ?, updated_at = ? WHERE id = 1').run(
    JSON.stringify(outcome),
    outcome.error,
    outcome.at,
  );
}

/** Days the centre acknowledged, with the digest of the figures it holds for each. */
export function acknowledgedDays(db: Db): Map<string, string> {
  const rows = db.prepare<[], { day: string; digest: string }>('SELECT day, digest FROM upstream_sends').all();
  return new Map(rows.map((r) => [r.day, r.digest]));
}

/** Records what the centre acknowledged: only days it named, with the digest of what was sent for each. */
export function recordAcknowledged(db: Db, digests: ReadonlyMap<string, string>, acknowledged: readonly string[], now: string): void {
  const put = db.prepare<[string, string, string]>('INSERT OR REPLACE INTO upstream_sends (day, digest, acknowledged_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const day of acknowledged) {
      const digest = digests.get(day);
      if (digest) put.run(day, digest, now);
    }
  })();
}

export function lastAcknowledgedDay(db: Db): string | null {
  return db.prepare<[], { day: string | null }>('SELECT max(day) AS day FROM upstream_sends').get()?.day ?? null;
}
