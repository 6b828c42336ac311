// Terminal sites: registration under a village, one-time pairing codes, the site token, revocation.
//
// Pairing policy: a site gets a code when registered; `POST /api/sites/pair` with it returns the site token
// once and clears the code. Re-issuing a code (a new PC, a lost token) does NOT cut the current token off:
// the site keeps playing until the new code is used, and only then is the old token replaced. Revoking
// invalidates the token and any outstanding code at once; re-issuing a code for a revoked site and pairing
// with it brings the site back.
import type { Db } from '../db/connection.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { RUNGS, type Rung } from '../../common/manifest.ts';
import { formatDownloadWindow, parseDownloadWindow } from '../../common/download-window.ts';
import { getRegion, regionNames, subtreePrefix } from './regions.ts';
import {
  isWellFormedPairingCode,
  legacyPairingCodeHash,
  newPairingCode,
  normalizePairingCode,
  pairingCodeHash,
  PAIRING_CODE_TTL_MS,
} from './pairing-code.ts';

export type SiteStatus = 'unpaired' | 'paired' | 'revoked';

export interface Site {
  id: number;
  name: string;
  regionId: number;
  regionName: string;
  /** Names from the root down to the site's village, e.g. ['某省', '某市', '某县', '某镇', '某村']. */
  regionPath: string[];
  contact: string;
  downloadWindow: string;
  bandwidthKbps: number;
  maxRung: Rung;
  status: SiteStatus;
  /** When the outstanding pairing code stops working; null when there is none. */
  pairingExpiresAt: string | null;
  pairedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface SiteDbRow {
  id: number;
  name: string;
  regionId: number;
  regionName: string;
  regionPathIds: string;
  contact: string;
  downloadWindow: string;
  bandwidthKbps: number;
  maxRung: Rung;
  hasCode: number;
  pairingExpiresAt: string | null;
  pairedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const select = `
  SELECT s.id, s.name, s.region_id AS regionId, r.name AS regionName, r.path AS regionPathIds, s.contact,
         s.download_window AS downloadWindow, s.bandwidth_kbps AS bandwidthKbps, s.max_rung AS maxRung,
         s.pairing_code_hash IS NOT NULL AS hasCode, s.pairing_expires_at AS pairingExpiresAt,
         s.paired_at AS pairedAt, s.revoked_at AS revokedAt, s.created_at AS createdAt, s.updated_at AS updatedAt
    FROM sites s JOIN regions r ON r.id = s.region_id`;

/** The names along a region path ('/1/4/9/'), root first. */
function pathNames(db: Db, pathIds: string): string[] {
  const ids = pathIds.split('/').filter(Boolean).map(Number);
  const names = regionNames(db, ids);
  return ids.map((id) => names.get(id) ?? '');
}

function toSite(db: Db, row: SiteDbRow, namesCache?: Map<string, string[]>): Site {
  const { regionPathIds, hasCode, ...rest } = row;
  let names = namesCache?.get(regionPathIds);
  if (!names) {
    names = pathNames(db, regionPathIds);
    namesCache?.set(regionPathIds, names);
  }
  return {
    ...rest,
    regionPath: names,
    status: row.revokedAt ? 'revoked' : row.pairedAt ? 'paired' : 'unpaired',
    pairingExpiresAt: hasCode ? row.pairingExpiresAt : null,
  };
}

/** The paired, not revoked site a site token (by its sha256) speaks for. */
export function siteByTokenHash(db: Db, tokenHash: string): { id: number; regionId: number } | undefined {
  return db
    .prepare<[string], { id: number; regionId: number }>(
      'SELECT id, region_id AS regionId FROM sites WHERE token_hash = ? AND revoked_at IS NULL',
    )
    .get(tokenHash);
}

export function getSite(db: Db, id: number): Site | undefined {
  const row = db.prepare(`${select} WHERE s.id = ?`).get(id) as SiteDbRow | undefined;
  return row && toSite(db, row);
}

export interface SiteFilter {
  /** Only sites in this region's subtree. */
  regionId?: number;
  status?: SiteStatus;
  /** Substring of the site's name or contact. */
  q?: string;
  limit?: number;
  offset?: number;
}

export function listSites(db: Db, f: SiteFilter): { total: number; items: Site[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.regionId !== undefined) {
    const prefix = subtreePrefix(db, f.regionId);
    if (prefix === undefined) return { total: 0, items: [] };
    where.push("r.path LIKE ? || '%'");
    args.push(prefix);
  }
  if (f.status === 'revoked') where.push('s.revoked_at IS NOT NULL');
  if (f.status === 'paired') where.push('s.revoked_at IS NULL AND s.paired_at IS NOT NULL');
  if (f.status === 'unpaired') where.push('s.revoked_at IS NULL AND s.paired_at IS NULL');
  if (f.q) {
    where.push('(instr(s.name, ?) > 0 OR instr(s.contact, ?) > 0)');
    args.push(f.q, f.q);
  }
  const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = (
    db.prepare(`SELECT count(*) AS n FROM sites s JOIN regions r ON r.id = s.region_id${clause}`).get(...args) as { n: number }
  ).n;
  const rows = db
    .prepare(`${select}${clause} ORDER BY r.path, s.name, s.id LIMIT ? OFFSET ?`)
    .all(...args, f.limit ?? 500, f.offset ?? 0) as SiteDbRow[];
  const cache = new Map<string, string[]>();
  return { total, items: rows.map((r) => toSite(db, r, cache)) };
}

export interface SiteSettings {
  name?: string;
  regionId?: number;
  contact?: string;
  downloadWindow?: string;
  bandwidthKbps?: number;
  maxRung?: Rung;
}

function checkSettings(db: Db, s: SiteSettings): SiteSettings {
  const out = { ...s };
  if (s.name !== undefined) {
    out.name = s.name.trim();
    if (!out.name) throw badRequest('name must not be empty.');
  }
  if (s.regionId !== undefined) {
    const region = getRegion(db, s.regionId);
    if (!region) throw badRequest(`regionId ${s.regionId} does not exist.`, 'no_such_region');
    if (region.level !== 'village')
      throw badRequest(
        `Sites are registered under a village; region ${s.regionId} "${region.name}" is a ${region.level}.`,
        'not_a_village',
      );
  }
  if (s.downloadWindow !== undefined) {
    const w = parseDownloadWindow(s.downloadWindow);
    if (!w)
      throw badRequest(
        `downloadWindow "${s.downloadWindow}" is not HH:MM-HH:MM (e.g. 00:00-06:00, or 22:00-05:00 across midnight).`,
        'bad_download_window',
      );
    out.downloadWindow = formatDownloadWindow(w);
  }
  if (s.maxRung !== undefined && !RUNGS.includes(s.maxRung)) throw badRequest(`maxRung must be one of ${RUNGS.join(', ')}.`);
  return out;
}

function setCode(db: Db, codeKey: Buffer, id: number, now: Date): { code: string; expiresAt: string } {
  const expiresAt = new Date(now.getTime() + PAIRING_CODE_TTL_MS).toISOString();
  // A collision with another outstanding code is astronomically rare, but the column is UNIQUE: draw again.
  for (;;) {
    const code = newPairingCode();
    const hash = pairingCodeHash(codeKey, normalizePairingCode(code));
    if (db.prepare('SELECT 1 FROM sites WHERE pairing_code_hash = ?').get(hash)) continue;
    db.prepare('UPDATE sites SET pairing_code_hash = ?, pairing_expires_at = ?, updated_at = ? WHERE id = ?').run(
      hash,
      expiresAt,
      now.toISOString(),
      id,
    );
    return { code, expiresAt };
  }
}

export interface NewSite extends SiteSettings {
  name: string;
  regionId: number;
}

export function createSite(
  db: Db,
  codeKey: Buffer,
  input: NewSite,
  now = new Date(),
): { site: Site; pairingCode: string; pairingExpiresAt: string } {
  const s = checkSettings(db, input) as NewSite;
  return db.transaction(() => {
    const info = db
      .prepare(
        `INSERT INTO sites (name, region_id, contact, download_window, bandwidth_kbps, max_rung, created_at, updated_at)
         VALUES (?, ?, ?, coalesce(?, '00:00-06:00'), coalesce(?, 2000), coalesce(?, '480p'), ?, ?)`,
      )
      .run(
        s.name,
        s.regionId,
        s.contact ?? '',
        s.downloadWindow ?? null,
        s.bandwidthKbps ?? null,
        s.maxRung ?? null,
        now.toISOString(),
        now.toISOString(),
      );
    const id = Number(info.lastInsertRowid);
    const { code, expiresAt } = setCode(db, codeKey, id, now);
    return { site: getSite(db, id)!, pairingCode: code, pairingExpiresAt: expiresAt };
  })();
}

export function updateSite(db: Db, id: number, patch: SiteSettings, now = new Date()): Site {
  if (!getSite(db, id)) throw notFound(`No site ${id}.`);
  const s = checkSettings(db, patch);
  const sets: string[] = [];
  const args: unknown[] = [];
  const col: Record<keyof SiteSettings, string> = {
    name: 'name',
    regionId: 'region_id',
    contact: 'contact',
    downloadWindow: 'download_window',
    bandwidthKbps: 'bandwidth_kbps',
    maxRung: 'max_rung',
  };
  for (const key of Object.keys(col) as Array<keyof SiteSettings>)
    if (s[key] !== undefined) {
      sets.push(`${col[key]} = ?`);
      args.push(s[key]);
    }
  if (sets.length) db.prepare(`UPDATE sites SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...args, now.toISOString(), id);
  return getSite(db, id)!;
}

/** A fresh one-time code; the current token keeps working until the code is used (see the policy above). */
export function reissuePairingCode(
  db: Db,
  codeKey: Buffer,
  id: number,
  now = new Date(),
): { pairingCode: string; pairingExpiresAt: string } {
  if (!getSite(db, id)) throw notFound(`No site ${id}.`);
  const { code, expiresAt } = db.transaction(() => setCode(db, codeKey, id, now))();
  return { pairingCode: code, pairingExpiresAt: expiresAt };
}

/** Trades a one-time code for the site token. Throws a 400 for an unknown, used or expired code. */
export function pairSite(db: Db, codeKey: Buffer, codeInput: string, now = new Date()): { siteId: number; token: string } {
  const code = normalizePairingCode(codeInput);
  if (!isWellFormedPairingCode(code))
    throw badRequest('A pairing code has 8 letters and digits, like ABCD-2345: check what you typed.', 'invalid_pairing_code');
  return db.transaction(() => {
    const byHash = db.prepare<[string], { id: number; expiresAt: string }>(
      'SELECT id, pairing_expires_at AS expiresAt FROM sites WHERE pairing_code_hash = ?',
    );
    const row = byHash.get(pairingCodeHash(codeKey, code)) ?? byHash.get(legacyPairingCodeHash(code));
    if (!row)
      throw badRequest('This pairing code is not valid or was already used: ask the operator for a new one.', 'invalid_pairing_code');
    if (row.expiresAt <= now.toISOString())
      throw badRequest('This pairing code has expired: ask the operator for a new one.', 'pairing_code_expired');
    const token = newToken();
    db.prepare(
      `UPDATE sites SET token_hash = ?, paired_at = ?, revoked_at = NULL, pairing_code_hash = NULL, pairing_expires_at = NULL,
              updated_at = ? WHERE id = ?`,
    ).run(hashToken(token), now.toISOString(), now.toISOString(), row.id);
    return { siteId: row.id, token };
  })();
}

export function revokeSite(db: Db, id: number, now = new Date()): Site {
  const site = getSite(db, id);
  if (!site) throw notFound(`No site ${id}.`);
  if (site.status === 'revoked') throw conflict(`Site ${id} is already revoked.`, 'already_revoked');
  db.prepare(
    `UPDATE sites SET revoked_at = ?, token_hash = NULL, pairing_code_hash = NULL, pairing_expires_at = NULL, updated_at = ?
      WHERE id = ?`,
  ).run(now.toISOString(), now.toISOString(), id);
  return getSite(db, id)!;
}

/** Removes a site registered by mistake. A site that ever paired has history (attendance, requests): revoke it instead. */
export function deleteSite(db: Db, id: number): void {
  const site = getSite(db, id);
  if (!site) throw notFound(`No site ${id}.`);
  if (site.pairedAt || site.revokedAt)
    throw conflict(`Site ${id} has paired before and may have history: revoke it instead of deleting it.`, 'site_has_history');
  db.prepare('DELETE FROM sites WHERE id = ?').run(id);
}

// Used by attendance:

export interface SiteBrief {
  id: number;
  name: string;
  regionId: number;
  paired: boolean;
  revoked: boolean;
}
/** Sites in a region's subtree (by its path, e.g. '/1/4/'), or every site when path is null; by id. */
export function sitesUnderPath(db: Db, path: string | null): SiteBrief[] {
  const cols = `s.id, s.name, s.region_id AS regionId, (s.token_hash IS NOT NULL) AS paired, (s.revoked_at IS NOT NULL) AS revoked`;
  type Row = { id: number; name: string; regionId: number; paired: number; revoked: number };
  const rows =
    path === null
      ? db.prepare<[], Row>(`SELECT ${cols} FROM sites s ORDER BY s.id`).all()
      : db
          .prepare<[string], Row>(`SELECT ${cols} FROM sites s JOIN regions r ON r.id = s.region_id
        WHERE r.path LIKE ? || '%' ORDER BY s.id`)
          .all(path);
  return rows.map((r) => ({ ...r, paired: !!r.paired, revoked: !!r.revoked }));
}

// Used by console:

/**
 * A statement selecting the sites of a region's subtree (bind @path, or leave it out for every site) whose name or
 * contact holds @q (when bound), as `site_id, region_id, name, region_path, paired, revoked`: another domain joins
 * its per-site rows to it and counts or pages in one statement, while the SQL on sites stays here.
 */
export function siteScopeSql(opts: { scoped: boolean; q: boolean }): string {
  const where = [opts.scoped ? "r.path LIKE @path || '%'" : '', opts.q ? '(instr(s.name, @q) > 0 OR instr(s.contact, @q) > 0)' : ''].filter(
    Boolean,
  );
  return `SELECT s.id AS site_id, s.region_id, s.name, r.path AS region_path, (s.paired_at IS NOT NULL) AS paired,
      (s.revoked_at IS NOT NULL) AS revoked FROM sites s JOIN regions r ON r.id = s.region_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
}

/** Full site rows for these ids, in the order given (unknown ids are left out). */
export function sitesByIds(db: Db, ids: number[]): Site[] {
  if (!ids.length) return [];
  const rows = db.prepare<[string], SiteDbRow>(`${select} WHERE s.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids));
  const cache = new Map<string, string[]>();
  const byId = new Map(rows.map((r) => [r.id, toSite(db, r, cache)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
