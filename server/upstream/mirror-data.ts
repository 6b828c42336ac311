// The province's mirror_programs table (migration 017): which central program is which local one, the central
// version held and the one being fetched, and withdrawals. The only module with SQL on it.
import type { Db } from '../db/connection.ts';

export interface MirrorRow {
  centralId: number;
  programId: number;
  heldVersion: number | null;
  centralUpdatedAt: string;
  fetchingVersion: number | null;
  fetchBytes: number;
  fetchTotal: number;
  lastError: string | null;
  withdrawnAt: string | null;
  withdrawalNote: string | null;
  withdrawnTitle: string | null;
  withdrawnItems: number | null;
  withdrawnSlots: number | null;
  /** JSON of WithdrawnChannel[]. */
  withdrawnChannels: string | null;
}

/** A channel a withdrawn program was taken off, named as it was then. */
export interface WithdrawnChannel {
  id: number;
  number: number;
  name: string;
}

/** What a withdrawal did, kept for the operator: the sentence for logs, and its parts for the console to word. */
export interface Withdrawal {
  note: string;
  title: string | null;
  items: number;
  slots: number;
  channels: WithdrawnChannel[];
}

const COLUMNS = `central_id AS centralId, program_id AS programId, held_version AS heldVersion,
  central_updated_at AS centralUpdatedAt, fetching_version AS fetchingVersion, fetch_bytes AS fetchBytes,
  fetch_total AS fetchTotal, last_error AS lastError, withdrawn_at AS withdrawnAt, withdrawal_note AS withdrawalNote,
  withdrawn_title AS withdrawnTitle, withdrawn_items AS withdrawnItems, withdrawn_slots AS withdrawnSlots,
  withdrawn_channels AS withdrawnChannels`;

export function mirrorRows(db: Db): MirrorRow[] {
  return db.prepare<[], MirrorRow>(`SELECT ${COLUMNS} FROM mirror_programs ORDER BY central_id`).all();
}

export function mirrorRow(db: Db, centralId: number): MirrorRow | undefined {
  return db.prepare<[number], MirrorRow>(`SELECT ${COLUMNS} FROM mirror_programs WHERE central_id = ?`).get(centralId);
}

export function insertMirrorRow(db: Db, centralId: number, programId: number, centralUpdatedAt: string, at: string): void {
  db.prepare<[number, number, string, string]>(
    'INSERT INTO mirror_programs (central_id, program_id, central_updated_at, updated_at) VALUES (?, ?, ?, ?)',
  ).run(centralId, programId, centralUpdatedAt, at);
}

/** The centre offers it (again), with this metadata stamp. */
export function markOffered(db: Db, centralId: number, centralUpdatedAt: string, at: string): void {
  db.prepare<[string, string, number]>(
    `UPDATE mirror_programs SET central_updated_at = ?, withdrawn_at = NULL, withdrawal_note = NULL, withdrawn_title = NULL,
       withdrawn_items = NULL, withdrawn_slots = NULL, withdrawn_channels = NULL, updated_at = ? WHERE central_id = ?`,
  ).run(centralUpdatedAt, at, centralId);
}

/** A version to fetch (a new program, or a central re-transcode); progress starts over when the version changes. */
export function startFetching(db: Db, centralId: number, version: number, totalBytes: number, at: string): void {
  db.prepare<[number, number, number, string, number, number]>(
    `UPDATE mirror_programs SET fetch_bytes = CASE WHEN fetching_version IS ? THEN fetch_bytes ELSE 0 END,
            fetching_version = ?, fetch_total = ?, updated_at = ? WHERE central_id = ? AND fetching_version IS NOT ?`,
  ).run(version, version, totalBytes, at, centralId, version);
}

export function recordProgress(db: Db, centralId: number, verifiedBytes: number, error: string | null, at: string): void {
  db.prepare<[number, string | null, string, number]>(
    'UPDATE mirror_programs SET fetch_bytes = ?, last_error = ?, updated_at = ? WHERE central_id = ?',
  ).run(verifiedBytes, error, at, centralId);
}

/** Every file of `version` verified and published locally. Call inside the publishing transaction. */
export function markHeld(db: Db, centralId: number, version: number, at: string): void {
  db.prepare<[number, string, number]>(
    `UPDATE mirror_programs SET held_version = ?, fetching_version = NULL, fetch_bytes = 0, fetch_total = 0, last_error = NULL,
            updated_at = ? WHERE central_id = ?`,
  ).run(version, at, centralId);
}

export function markWithdrawn(db: Db, centralId: number, w: Withdrawal, at: string): void {
  db.prepare<[string, string, string | null, number, number, string, string, number]>(
    `UPDATE mirror_programs SET withdrawn_at = ?, withdrawal_note = ?, withdrawn_title = ?, withdrawn_items = ?, withdrawn_slots = ?,
       withdrawn_channels = ?, fetching_version = NULL, updated_at = ? WHERE central_id = ?`,
  ).run(at, w.note, w.title, w.items, w.slots, JSON.stringify(w.channels), at, centralId);
}

/** The channels recorded with a withdrawal ([] for rows withdrawn before they were recorded). */
export function withdrawnChannels(row: MirrorRow): WithdrawnChannel[] {
  return row.withdrawnChannels ? (JSON.parse(row.withdrawnChannels) as WithdrawnChannel[]) : [];
}

/** Local program id -> central id, for figures sent up (reach keyed by the central id). */
export function centralIdsByProgram(db: Db): Map<number, number> {
  const rows = db
    .prepare<[], { programId: number; centralId: number }>('SELECT program_id AS programId, central_id AS centralId FROM mirror_programs')
    .all();
  return new Map(rows.map((r) => [r.programId, r.centralId]));
}

/** Central program id -> the local program mirroring it (withdrawn ones left out: they are not to be played). */
export function localIdsByCentral(db: Db): Map<number, number> {
  const rows = db
    .prepare<[], { programId: number; centralId: number }>(
      'SELECT program_id AS programId, central_id AS centralId FROM mirror_programs WHERE withdrawn_at IS NULL',
    )
    .all();
  return new Map(rows.map((r) => [r.centralId, r.programId]));
}
