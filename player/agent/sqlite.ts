// The agent's SQLite files: WAL, synchronous=FULL (a site PC loses power; what was acknowledged must be on
// disk), and schema steps numbered by PRAGMA user_version, each applied once in its own transaction.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export function openVersionedDb(file: string, migrations: readonly string[], opts: { foreignKeys?: boolean } = {}): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  if (opts.foreignKeys) db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
