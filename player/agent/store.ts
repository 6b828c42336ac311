// The agent's own SQLite: pairing, the last manifest and catalog (so a restart with the uplink down still plays), what is
// held on disk, what members watched or asked for, and an outbox of things to send to the server. Opened with
// synchronous=FULL: the PC in the village hall loses power without warning.
import type Database from 'better-sqlite3';
import { openVersionedDb } from './sqlite.ts';
import type { SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import type { HeldFile } from './plan.ts';

export type AgentDb = Database.Database;

/** Schema versions, applied in order (PRAGMA user_version counts them). Append, never edit a shipped one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE held_files (
     path        TEXT PRIMARY KEY,
     size        INTEGER NOT NULL,
     sha256      TEXT NOT NULL,
     program_id  INTEGER,
     verified_at INTEGER NOT NULL
   );
   CREATE INDEX held_files_program ON held_files(program_id);
   -- On-demand use: when a lecture was last watched (eviction order) and whether a member queued it for download.
   CREATE TABLE program_use (
     program_id      INTEGER PRIMARY KEY,
     last_watched_at INTEGER,
     wanted_at       INTEGER
   );
   -- Durable outbox: each row has an id made here, sent with it so the server can drop a replay.
   -- kind 'request' now; attendance sessions will use the same table and sender.
   CREATE TABLE outbox (
     client_id       TEXT PRIMARY KEY,
     kind            TEXT NOT NULL,
     body            TEXT NOT NULL,
     created_at      INTEGER NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL DEFAULT 0,
     last_error      TEXT
   );
   CREATE INDEX outbox_due ON outbox(next_attempt_at);`,
];

export function openAgentDb(file: string): AgentDb {
  return openVersionedDb(file, MIGRATIONS);
}

export interface Pairing {
  siteId: number;
  token: string;
  serverUrl: string;
}

/** Typed access to the agent's tables. One instance per agent. */
export class AgentStore {
  constructor(readonly db: AgentDb) {}

  private get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  private set(key: string, value: string): void {
    this.db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  pairing(): Pairing | null {
    const raw = this.get('pairing');
    return raw ? (JSON.parse(raw) as Pairing) : null;
  }

  savePairing(p: Pairing): void {
    this.set('pairing', JSON.stringify(p));
  }

  /** The last manifest received and its ETag. */
  manifest(): { manifest: SiteManifest; etag: string | null; receivedAt: number } | null {
    const raw = this.get('manifest');
    return raw ? JSON.parse(raw) : null;
  }

  saveManifest(manifest: SiteManifest, etag: string | null, receivedAt: number): void {
    this.set('manifest', JSON.stringify({ manifest, etag, receivedAt }));
  }

  /**
   * The last catalog received and its ETag. A manifest stored by an agent from before the catalog had its own
   * resource carries it inline: that copy serves (with no ETag, so the next sync fetches the current one).
   */
  catalog(): { catalog: SiteCatalog; etag: string | null; receivedAt: number } | null {
    const raw = this.get('catalog');
    if (raw) return JSON.parse(raw);
    const legacy = this.manifest() as { manifest: Partial<SiteCatalog> & { catalog?: SiteCatalog['programs'] }; receivedAt: number } | null;
    if (!legacy?.manifest.catalog) return null;
    return {
      catalog: { programs: legacy.manifest.catalog, categories: legacy.manifest.categories ?? [] },
      etag: null,
      receivedAt: legacy.receivedAt,
    };
  }

  saveCatalog(catalog: SiteCatalog, etag: string | null, receivedAt: number): void {
    this.set('catalog', JSON.stringify({ catalog, etag, receivedAt }));
  }

  lastSyncAt(): number | null {
    const raw = this.get('lastSyncAt');
    return raw ? Number(raw) : null;
  }

  setLastSyncAt(at: number): void {
    this.set('lastSyncAt', String(at));
  }

  heldFiles(): HeldFile[] {
    return this.db.prepare('SELECT path, size, sha256, program_id AS programId FROM held_files').all() as HeldFile[];
  }

  held(path: string): HeldFile | undefined {
    return this.db.prepare('SELECT path, size, sha256, program_id AS programId FROM held_files WHERE path = ?').get(path) as
      | HeldFile
      | undefined;
  }

  heldMap(): Map<string, HeldFile> {
    return new Map(this.heldFiles().map((h) => [h.path, h]));
  }

  heldBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(size), 0) AS n FROM held_files').get() as { n: number }).n;
  }

  addHeld(f: HeldFile, verifiedAt: number): void {
    this.db
      .prepare(
        `INSERT INTO held_files (path, size, sha256, program_id, verified_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
           program_id = excluded.program_id, verified_at = excluded.verified_at`,
      )
      .run(f.path, f.size, f.sha256, f.programId, verifiedAt);
  }

  removeHeld(paths: string[]): void {
    const del = this.db.prepare('DELETE FROM held_files WHERE path = ?');
    this.db.transaction(() => {
      for (const p of paths) del.run(p);
    })();
  }

  /** Program id -> last watched, or when it was asked for if never watched since. */
  lastUsed(): Map<number, number> {
    const rows = this.db
      .prepare('SELECT program_id AS id, MAX(COALESCE(last_watched_at, 0), COALESCE(wanted_at, 0)) AS t FROM program_use')
      .all() as Array<{ id: number; t: number }>;
    return new Map(rows.map((r) => [r.id, r.t]));
  }

  markWatched(programId: number, at: number): void {
    this.db
      .prepare(
        `INSERT INTO program_use (program_id, last_watched_at) VALUES (?, ?)
         ON CONFLICT(program_id) DO UPDATE SET last_watched_at = MAX(COALESCE(last_watched_at, 0), excluded.last_watched_at)`,
      )
      .run(programId, at);
  }

  want(programId: number, at: number): void {
    this.db
      .prepare(
        `INSERT INTO program_use (program_id, wanted_at) VALUES (?, ?)
         ON CONFLICT(program_id) DO UPDATE SET wanted_at = excluded.wanted_at`,
      )
      .run(programId, at);
  }

  /** Queues a lecture again after it lost a file, keeping its place in the eviction order. */
  wantAgain(programId: number): void {
    this.db
      .prepare(
        `INSERT INTO program_use (program_id, wanted_at) VALUES (?, 1)
         ON CONFLICT(program_id) DO UPDATE SET wanted_at = COALESCE(wanted_at, last_watched_at, 1)`,
      )
      .run(programId);
  }

  unwant(programIds: number[]): void {
    const upd = this.db.prepare(
      'UPDATE program_use SET last_watched_at = MAX(COALESCE(last_watched_at, 0), COALESCE(wanted_at, 0)), wanted_at = NULL WHERE program_id = ?',
    );
    this.db.transaction(() => {
      for (const id of programIds) upd.run(id);
    })();
  }

  /** On-demand programs queued by members, oldest request first. */
  wanted(): number[] {
    return (
      this.db
        .prepare('SELECT program_id AS id FROM program_use WHERE wanted_at IS NOT NULL ORDER BY wanted_at, program_id')
        .all() as Array<{ id: number }>
    ).map((r) => r.id);
  }

  enqueue(kind: string, clientId: string, body: unknown, at: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO outbox (client_id, kind, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)')
      .run(clientId, kind, JSON.stringify(body), at, at);
  }

  dueOutbox(now: number, limit = 50): Array<{ clientId: string; kind: string; body: unknown; attempts: number }> {
    const rows = this.db
      .prepare(
        'SELECT client_id AS clientId, kind, body, attempts FROM outbox WHERE next_attempt_at <= ? ORDER BY created_at, client_id LIMIT ?',
      )
      .all(now, limit) as Array<{ clientId: string; kind: string; body: string; attempts: number }>;
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  outboxSize(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  ackOutbox(clientId: string): void {
    this.db.prepare('DELETE FROM outbox WHERE client_id = ?').run(clientId);
  }

  retryOutbox(clientId: string, nextAttemptAt: number, error: string): void {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE client_id = ?')
      .run(nextAttemptAt, error, clientId);
  }
}
