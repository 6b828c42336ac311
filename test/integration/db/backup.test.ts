// Backups while the server serves: attendance batches keep arriving over HTTP while the online backup copies the
// live database; the backup restored (by the restore script, as an operator runs it) into a new data dir holds
// every session the server acknowledged before the backup finished. Restore refuses a running server's data dir
// and a file that is not an intact database of this server.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { backupDatabase, listBackups, pruneBackups, SERVER_PID_FILE } from '../../../server/db/backup.ts';
import { postBatch, seedTree, session } from '../attendance/fixtures.ts';

const restoreScript = path.resolve(import.meta.dirname, '..', '..', '..', 'scripts', 'restore.ts');
const restore = (file: string, dataDir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', restoreScript, file, '--data-dir', dataDir], { encoding: 'utf8' });

t.test('a backup taken under write load holds every acknowledged session, and restores into a new data dir', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const acked: string[] = [];
  let n = 0;
  let stop = false;
  // The write load: batches of sessions from three sites, back to back, until the backup is done.
  const load = (async () => {
    while (!stop) {
      const site = (n % 3) + 1;
      const ids = Array.from({ length: 20 }, (_, i) => `s${site}-${n}-${i}`);
      const start = Date.now() - 7200_000;
      const res = await postBatch(s.app, tokens[site]!, { sentAt: Date.now(), sessions: ids.map((id) => session({ id, start })) });
      if (res.statusCode !== 200) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
      const body = res.json() as { accepted: string[] };
      acked.push(...body.accepted.map((id) => `${site}/${id}`));
      n++;
    }
  })();
  while (acked.length < 200) await new Promise((r) => setImmediate(r));
  const backupDir = path.join(s.config.dataDir, 'backups');
  const file = await backupDatabase(s.app.db, backupDir);
  const ackedBeforeDone = [...acked];
  stop = true;
  await load;
  t.ok(ackedBeforeDone.length >= 200, `${ackedBeforeDone.length} sessions acknowledged before the backup finished`);
  t.same(listBackups(backupDir), [file], 'one whole backup, no partial file left');

  const newDir = tempDir('dyb-restored-');
  t.teardown(() => fs.rmSync(newDir, { recursive: true, force: true }));
  const r = restore(file, newDir);
  t.equal(r.status, 0, `restore exits 0 (${r.stderr})`);
  const restored = await makeServer({ dataDir: newDir });
  t.teardown(() => restored.close());
  const rows = restored.app.db.prepare('SELECT site_id AS site, session_id AS id FROM attendance_sessions').all() as Array<{
    site: number;
    id: string;
  }>;
  const have = new Set(rows.map((x) => `${x.site}/${x.id}`));
  const missing = ackedBeforeDone.filter((id) => !have.has(id));
  t.same(missing, [], 'every acknowledged session is in the restored database');
});

t.test('restore refuses a running server, a damaged file and a foreign database; replaces a stopped one', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const file = await backupDatabase(s.app.db, tempDir('dyb-backups-'));

  const running = tempDir('dyb-running-');
  fs.writeFileSync(path.join(running, SERVER_PID_FILE), `${process.pid}\n`); // this live process stands for the server
  const refused = restore(file, running);
  t.equal(refused.status, 1);
  t.match(refused.stderr, /is running on .*stop it first/);
  t.notOk(fs.existsSync(path.join(running, 'broadcast.sqlite')), 'nothing written');

  const damaged = path.join(tempDir('dyb-bad-'), 'broadcast-20260101T000000Z.sqlite');
  const bytes = fs.readFileSync(file);
  bytes.fill(0x5a, 4096, 8192); // a page scribbled over
  fs.writeFileSync(damaged, bytes);
  const bad = restore(damaged, tempDir('dyb-target-'));
  t.equal(bad.status, 1);
  t.match(bad.stderr, /integrity|not a readable SQLite database/);

  const foreign = path.join(tempDir('dyb-foreign-'), 'other.sqlite');
  new Database(foreign).exec('CREATE TABLE t (x)');
  const other = restore(foreign, tempDir('dyb-target-'));
  t.equal(other.status, 1);
  t.match(other.stderr, /not one of this server/);

  // A stopped server's data dir: the old database and its WAL are kept aside, not replayed onto the restored one.
  const stopped = await makeServer();
  const stoppedDir = stopped.config.dataDir;
  await stopped.close();
  fs.writeFileSync(path.join(stoppedDir, 'broadcast.sqlite-wal'), 'stale');
  const ok = restore(file, stoppedDir);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /previous database is kept as .*before-restore-/);
  t.notOk(fs.existsSync(path.join(stoppedDir, 'broadcast.sqlite-wal')), 'no stale WAL beside the restored database');
});

t.test('pruning keeps the newest N', async (t) => {
  const dir = tempDir('dyb-prune-');
  const names = ['20260101T031500Z', '20260102T031500Z', '20260103T031500Z', '20260104T031500Z'].map((d) =>
    path.join(dir, `broadcast-${d}.sqlite`),
  );
  for (const f of names) fs.writeFileSync(f, '');
  fs.writeFileSync(path.join(dir, 'notes.txt'), '');
  t.same(pruneBackups(dir, 2), names.slice(0, 2), 'the two oldest go');
  t.same(listBackups(dir), names.slice(2));
  t.ok(fs.existsSync(path.join(dir, 'notes.txt')), 'other files are left alone');
});
