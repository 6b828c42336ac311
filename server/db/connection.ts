// Opens the SQLite file in WAL mode and brings its schema up to date.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function openDb(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  keepStatements(db);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged, so attendance a site was told is stored survives a
  // power cut of the server too (the site deletes what was acknowledged). Writes are batched, so it is cheap.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** How many distinct SQL texts keep their prepared statement (a few hundred are written in the code; the rest are
 * built with a variable number of placeholders). */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * Makes db.prepare return the statement already prepared for the same SQL text (least recently used beyond
 * STATEMENT_CACHE_SIZE are dropped). Data functions prepare their SQL where they run it, which reads well, but
 * preparing costs more than running a lookup by key: at a province's ~1,000 site requests a second, the prepare
 * calls of the token check, the manifest's site row and the ingest lookups were a sixth of the server's CPU.
 * Safe here because no code sets a statement's modes (pluck, raw, expand, bind) or iterates one.
 */
export function keepStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const kept = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = kept.get(sql);
    if (statement)
      kept.delete(sql); // re-inserted below: the Map's order is the recency order
    else statement = prepare(sql);
    kept.set(sql, statement);
    if (kept.size > STATEMENT_CACHE_SIZE) kept.delete(kept.keys().next().value as string);
    return statement;
  }) as Db['prepare'];
}

/** Applies every numbered .sql file in migrations/ not applied yet, each in its own transaction. */
export function migrate(db: Db, dir = migrationsDir): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db
      .prepare('SELECT name FROM schema_migrations')
      .all()
      .map((r) => (r as { name: string }).name),
  );
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort();
  for (const file of files) {
    if (applied.has(file)) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(file, new Date().toISOString());
    })();
  }
}
