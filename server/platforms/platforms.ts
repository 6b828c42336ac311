// Downstream platforms at the centre: a province region registered with a one-time pairing code, the hashed
// platform token the province trades it for, revocation. The same policy as terminal sites (server/sites/sites.ts):
// codes are HMACs under the server secret, a token is stored as its sha256, revoking clears both at once.
import type { Db } from '../db/connection.ts';
import type { Platform } from '../../common/api/platforms.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { badRequest, conflict, notFound, unprocessable } from '../errors.ts';
import { getRegion, regionNames } from '../sites/regions.ts';
import {
  PAIRING_CODE_TTL_MS,
  isWellFormedPairingCode,
  newPairingCode,
  normalizePairingCode,
  pairingCodeHash,
} from '../sites/pairing-code.ts';

interface PlatformRow {
  id: number;
  regionId: number;
  hasCode: number;
  pairingExpiresAt: string | null;
  pairedAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
  lastSendAt: string | null;
  daysReceived: number;
  firstDay: string | null;
  lastDay: string | null;
  createdAt: string;
}

const SELECT = `
  SELECT p.id, p.region_id AS regionId, p.pairing_code_hash IS NOT NULL AS hasCode,
         p.pairing_expires_at AS pairingExpiresAt, p.paired_at AS pairedAt, p.revoked_at AS revokedAt,
         p.last_seen_at AS lastSeenAt, p.last_send_at AS lastSendAt, p.created_at AS createdAt,
         (SELECT count(DISTINCT day) FROM platform_figures f WHERE f.platform_id = p.id) AS daysReceived,
         (SELECT min(day) FROM platform_figures f WHERE f.platform_id = p.id) AS firstDay,
         (SELECT max(day) FROM platform_figures f WHERE f.platform_id = p.id) AS lastDay
    FROM platforms p`;

/** Rows labelled with their province's name, which the sites domain owns; sorted by that name, then id. */
function toPlatforms(db: Db, rows: PlatformRow[]): Platform[] {
  const names = regionNames(
    db,
    rows.map((r) => r.regionId),
  );
  return rows
    .map((row) => toPlatform(row, names.get(row.regionId) ?? ''))
    .sort((a, b) => (a.regionName < b.regionName ? -1 : a.regionName > b.regionName ? 1 : a.id - b.id));
}

function toPlatform(row: PlatformRow, regionName: string): Platform {
  const { hasCode, ...rest } = row;
  return {
    ...rest,
    regionName,
    status: row.revokedAt ? 'revoked' : row.pairedAt ? 'paired' : 'unpaired',
    pairingExpiresAt: hasCode ? row.pairingExpiresAt : null,
  };
}

export function getPlatform(db: Db, id: number): Platform | undefined {
  const row = db.prepare<[number], PlatformRow>(`${SELECT} WHERE p.id = ?`).get(id);
  return row && toPlatforms(db, [row])[0];
}

export function listPlatforms(db: Db): Platform[] {
  return toPlatforms(db, db.prepare<[], PlatformRow>(SELECT).all());
}

/** A fresh code stored on the platform row (retrying the rare clash with another outstanding code). */
function issueCode(db: Db, codeKey: Buffer, id: number, now: Date): { pairingCode: string; pairingExpiresAt: string } {
  const expiresAt = new Date(now.getTime() + PAIRING_CODE_TTL_MS).toISOString();
  for (;;) {
    const code = newPairingCode();
    const hash = pairingCodeHash(codeKey, normalizePairingCode(code));
    if (db.prepare('SELECT 1 FROM platforms WHERE pairing_code_hash = ?').get(hash)) continue;
    db.prepare('UPDATE platforms SET pairing_code_hash = ?, pairing_expires_at = ?, updated_at = ? WHERE id = ?').run(
      hash,
      expiresAt,
      now.toISOString(),
      id,
    );
    return { pairingCode: code, pairingExpiresAt: expiresAt };
  }
}

/**
 * Registers a province (its region must be of level province) and issues its one-time code. A province revoked
 * before is registered again on the same row with a new code; one still linked is a 409.
 */
export function createPlatform(
  db: Db,
  codeKey: Buffer,
  regionId: number,
  now = new Date(),
): { platform: Platform; pairingCode: string; pairingExpiresAt: string } {
  const region = getRegion(db, regionId);
  if (!region) throw unprocessable(`Region ${regionId} does not exist: pick a region of level province.`, 'unknown_region');
  if (region.level !== 'province') {
    throw unprocessable(
      `Region ${regionId} ("${region.name}") is a ${region.level}: only a region of level province can be a downstream platform.`,
      'not_a_province',
    );
  }
  return db.transaction(() => {
    const at = now.toISOString();
    const existing = db
      .prepare<[number], { id: number; revokedAt: string | null }>('SELECT id, revoked_at AS revokedAt FROM platforms WHERE region_id = ?')
      .get(regionId);
    if (existing && !existing.revokedAt) {
      throw conflict(
        `Province "${region.name}" is already registered as platform ${existing.id}: revoke it first to pair it anew.`,
        'platform_exists',
      );
    }
    let id: number;
    if (existing) {
      db.prepare('UPDATE platforms SET revoked_at = NULL, paired_at = NULL, updated_at = ? WHERE id = ?').run(at, existing.id);
      id = existing.id;
    } else {
      id = Number(
        db.prepare('INSERT INTO platforms (region_id, created_at, updated_at) VALUES (?, ?, ?)').run(regionId, at, at).lastInsertRowid,
      );
    }
    const code = issueCode(db, codeKey, id, now);
    return { platform: getPlatform(db, id)!, ...code };
  })();
}

/** Trades a one-time code for the platform token. 400 for an unknown, used or expired code. */
export function pairPlatform(
  db: Db,
  codeKey: Buffer,
  codeInput: string,
  now = new Date(),
): { platformId: number; token: string; regionId: number; regionName: string } {
  const code = normalizePairingCode(codeInput);
  if (!isWellFormedPairingCode(code))
    throw badRequest('A pairing code has 8 letters and digits, like ABCD-2345: check UPSTREAM_PAIR_CODE.', 'invalid_pairing_code');
  return db.transaction(() => {
    const row = db
      .prepare<[string], { id: number; expiresAt: string }>(
        'SELECT id, pairing_expires_at AS expiresAt FROM platforms WHERE pairing_code_hash = ?',
      )
      .get(pairingCodeHash(codeKey, code));
    if (!row) {
      throw badRequest(
        'This pairing code is not valid or was already used: ask the central operator for a new one.',
        'invalid_pairing_code',
      );
    }
    if (row.expiresAt < now.toISOString())
      throw badRequest('This pairing code has expired: ask the central operator for a new one.', 'pairing_code_expired');
    const token = newToken();
    const at = now.toISOString();
    db.prepare(
      `UPDATE platforms SET token_hash = ?, paired_at = ?, revoked_at = NULL, pairing_code_hash = NULL, pairing_expires_at = NULL,
              last_seen_at = ?, updated_at = ? WHERE id = ?`,
    ).run(hashToken(token), at, at, at, row.id);
    const p = getPlatform(db, row.id)!;
    return { platformId: p.id, token, regionId: p.regionId, regionName: p.regionName };
  })();
}

export function revokePlatform(db: Db, id: number, now = new Date()): Platform {
  const p = getPlatform(db, id);
  if (!p) throw notFound(`Platform ${id} does not exist.`);
  if (p.status === 'revoked') throw conflict(`Platform ${id} is already revoked.`, 'already_revoked');
  db.prepare(
    `UPDATE platforms SET revoked_at = ?, token_hash = NULL, pairing_code_hash = NULL, pairing_expires_at = NULL, updated_at = ?
      WHERE id = ?`,
  ).run(now.toISOString(), now.toISOString(), id);
  return getPlatform(db, id)!;
}

export interface PlatformCaller {
  id: number;
  regionId: number;
}

/** The paired, not revoked platform a token (by its sha256) speaks for; its last-seen time is updated. */
export function platformByTokenHash(db: Db, tokenHash: string, now = new Date()): PlatformCaller | undefined {
  const row = db
    .prepare<[string], PlatformCaller>('SELECT id, region_id AS regionId FROM platforms WHERE token_hash = ? AND revoked_at IS NULL')
    .get(tokenHash);
  if (row) db.prepare('UPDATE platforms SET last_seen_at = ? WHERE id = ?').run(now.toISOString(), row.id);
  return row;
}

/** Paired platforms by their province region id (centre reports: provinces as the first level). */
export function platformsByRegion(db: Db): Map<number, { id: number; regionId: number }> {
  const rows = db.prepare<[], { id: number; regionId: number }>('SELECT id, region_id AS regionId FROM platforms').all();
  return new Map(rows.map((r) => [r.regionId, r]));
}
