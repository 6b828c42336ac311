// Nightly online backup of the server database. better-sqlite3's backup API copies the live database page by page
// while the server keeps serving (writes made meanwhile through the same connection are carried into the copy), to
// a temporary name renamed into place when complete, so BACKUP_DIR only ever holds whole, consistent files.
// The last BACKUP_KEEP are kept. `npm run restore -- FILE` (scripts/restore.ts) puts one back.
//
// What a site loses if its disk dies: nothing the server acknowledged. The agent deletes a viewing session from
// its durable queue only after the server has committed it and answered; the server's copy is in this database
// and in the last nightly backup. A dead site disk loses only what was still queued there unsent (normally the
// last minute or so, longer if the site was offline), its media cache (downloaded again) and its pairing (pair
// it again with a new code).
import fs from 'node:fs';
import path from 'node:path';
import cron from 'node-cron';
import type { Db } from './connection.ts';

export interface BackupSettings {
  backupDir: string;
  backupKeep: number;
  backupCron: string;
  provinceTz: string;
}

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Written in the data dir by a running server (server/main.ts); restore refuses while its process lives. */
export const SERVER_PID_FILE = 'server.pid';

const NAME = /^broadcast-(\d{8}T\d{6}Z)\.sqlite$/;

/** broadcast-20260101T021500Z.sqlite: sorts by time, says when it was taken. */
export function backupName(now: Date): string {
  return `broadcast-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.sqlite`;
}

/** Backups in `dir`, oldest first. */
export function listBackups(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Copies the live database into `dir`; returns the new file. */
export async function backupDatabase(db: Db, dir: string, now = new Date()): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, backupName(now));
  const partial = `${file}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    await db.backup(partial);
    fs.renameSync(partial, file);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  return file;
}

/** Deletes all but the newest `keep` backups; returns what it deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  const all = listBackups(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const f of old) fs.rmSync(f, { force: true });
  return old;
}

/** The nightly backup on the server's clock in the province zone. */
export function scheduleBackups(db: Db, settings: BackupSettings, log: Log): { stop(): Promise<void> } {
  let running = false;
  const nightly = async () => {
    if (running) return;
    running = true;
    try {
      const file = await backupDatabase(db, settings.backupDir);
      const removed = pruneBackups(settings.backupDir, settings.backupKeep);
      log.info({ file, bytes: fs.statSync(file).size, removed: removed.length }, 'database backup done');
    } catch (err) {
      log.error({ err }, 'database backup failed');
    } finally {
      running = false;
    }
  };
  const task = cron.schedule(settings.backupCron, nightly, { timezone: settings.provinceTz, name: 'database-backup', noOverlap: true });
  return { stop: async () => void (await task.stop()) };
}
