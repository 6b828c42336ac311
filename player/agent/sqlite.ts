// The agent's SQLite files: WAL, synchronous=FULL (a site PC loses power; what was acknowledged must be on
// disk), and schema steps numbered by PRAGMA user_version, each applied once in its own transaction. The files
// are 0600 (the agent's database holds the site token): SQLite gives its -wal and -shm files the mode of the
// database file, so creating that one 0600 before SQLite opens it covers all three.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export function openVersionedDb(file: string, migrations: readonly string[], opts: { foreignKeys?: boolean } = {}): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600); // made by an older agent
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
