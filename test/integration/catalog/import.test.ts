// The bulk import CLI, run as an operator runs it: a child process on a folder with good and bad files.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tempDir } from '../../../testkit/helpers.ts';
import { makeClip } from '../../../testkit/media.ts';
import { openDb } from '../../../server/db/connection.ts';

const run = promisify(execFile);

t.test('npm run import: good files queued with their sidecar metadata, bad ones refused with reasons', async (t) => {
  const drive = tempDir('dyb-drive-');
  const dataDir = tempDir('dyb-data-');
  t.teardown(() => {
    fs.rmSync(drive, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const good = await makeClip(path.join(drive, '第一讲'), 'tiny240', { seconds: 1, name: 'lecture1' });
  fs.writeFileSync(
    `${good}.json`,
    JSON.stringify({ title: '乡村治理第一讲', category: 'political-theory', audiences: ['village-cadres'] }),
  );
  await makeClip(drive, 'audio-mp3', { seconds: 1, name: 'talk' });
  await makeClip(drive, 'text', { name: 'handout' });
  await makeClip(drive, 'empty', { name: 'blank' });
  fs.writeFileSync(path.join(drive, 'notes.txt'), 'not courseware, not even looked at');

  let code = 0;
  let stdout = '';
  try {
    ({ stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/import.ts', drive, path.join(drive, 'nope.mp4')], {
      env: { ...process.env, DATA_DIR: dataDir },
    }));
  } catch (err) {
    const e = err as { code: number; stdout: string };
    code = e.code;
    stdout = e.stdout;
  }
  t.equal(code, 1, 'exit code 1 when some files were refused');
  t.match(stdout, /ok {2}.*lecture1\.mp4: queued as program \d+/);
  t.match(stdout, /ok {2}.*talk\.mp3: queued as program \d+/);
  t.match(stdout, /FAIL .*handout\.mp4: handout\.mp4: .*/);
  t.match(stdout, /FAIL .*blank\.mp4: blank\.mp4 is empty/);
  t.match(stdout, /2 imported, 2 refused, 1 not found/);
  t.notMatch(stdout, /notes\.txt/, 'files that are not courseware are skipped');

  const db = openDb(path.join(dataDir, 'broadcast.sqlite'));
  t.teardown(() => db.close());
  const rows = db.prepare('SELECT title, category, status FROM programs ORDER BY id').all() as Array<{
    title: string;
    category: string | null;
    status: string;
  }>;
  t.same(rows.map((r) => r.title).sort(), ['talk', '乡村治理第一讲'].sort(), 'two programs, the sidecar title used');
  t.equal(rows.find((r) => r.title === '乡村治理第一讲')!.category, 'political-theory');
  t.ok(
    rows.every((r) => r.status === 'queued'),
    'queued for the server to transcode',
  );
  t.equal((db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'queued'").get() as { n: number }).n, 2);
  t.same(fs.readdirSync(path.join(dataDir, 'media', 'incoming')), [], 'nothing left in incoming');
  t.ok(fs.existsSync(good), 'the drive is left as it was');
});
