// `npm run restore -- FILE [--data-dir DIR]`: puts a backup (server/db/backup.ts) back as the server's database,
// into a new data dir or the one of a stopped server (default DATA_DIR, else ./data). Refuses when a server is
// running on that data dir, and when FILE is not a whole, intact database of this server. The database it
// replaces, with its WAL files, is kept beside it as broadcast.sqlite.before-restore-<time>.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SERVER_PID_FILE } from '../server/db/backup.ts';

export class RestoreRefused extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Throws RestoreRefused unless `file` is an intact database with this server's schema. */
export function checkBackup(file: string): void {
  if (!fs.existsSync(file)) throw new RestoreRefused(`${file} does not exist`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    if (check[0]?.integrity_check !== 'ok')
      throw new RestoreRefused(`${file} fails SQLite's integrity check: ${check[0]?.integrity_check}`);
    const migrations = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() as {
      n: number;
    };
    if (migrations.n !== 1)
      throw new RestoreRefused(`${file} is an SQLite database but not one of this server (no schema_migrations table)`);
  } catch (err) {
    if (err instanceof RestoreRefused) throw err;
    throw new RestoreRefused(`${file} is not a readable SQLite database (${(err as Error).message})`);
  } finally {
    db?.close();
  }
}

export function restoreBackup(file: string, dataDir: string, now = new Date()): { dbPath: string; keptAs: string | null } {
  checkBackup(file);
  const pidFile = path.join(dataDir, SERVER_PID_FILE);
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && alive(pid))
      throw new RestoreRefused(`a server (pid ${pid}) is running on ${dataDir}: stop it first, or restore into a new data dir`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const dbPath = path.join(dataDir, 'broadcast.sqlite');
  const incoming = `${dbPath}.restoring`;
  fs.copyFileSync(file, incoming);
  checkBackup(incoming); // what landed on this disk, not only what was read
  let keptAs: string | null = null;
  if (fs.existsSync(dbPath)) {
    keptAs = `${dbPath}.before-restore-${now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`;
    fs.renameSync(dbPath, keptAs);
  }
  // A WAL left by the old database would be replayed onto the restored one: move it aside with it.
  for (const suffix of ['-wal', '-shm']) {
    if (!fs.existsSync(dbPath + suffix)) continue;
    if (keptAs) fs.renameSync(dbPath + suffix, keptAs + suffix);
    else fs.rmSync(dbPath + suffix);
  }
  fs.renameSync(incoming, dbPath);
  return { dbPath, keptAs };
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { 'data-dir': { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('Usage: npm run restore -- BACKUP_FILE [--data-dir DIR]   (DIR default: DATA_DIR, else ./data)\n');
    process.exit(2);
  }
  try {
    const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data');
    const { dbPath, keptAs } = restoreBackup(path.resolve(file), dataDir);
    process.stdout.write(`restored ${file} into ${dbPath}${keptAs ? `; the previous database is kept as ${keptAs}` : ''}\n`);
  } catch (err) {
    process.stderr.write(`restore refused: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
