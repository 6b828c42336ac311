// The collector's rule (pure) and the move of pre-version output into v1/ (real files in a temp dir).
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectable, versionKey } from '../../../server/media/versions.ts';
import { adoptUnversionedOutput, versionsOnDisk } from '../../../server/media/store.ts';

t.test('a superseded version goes only after the grace and when nothing on air names it', async (t) => {
  const H = 3600_000;
  const now = Date.UTC(2026, 10, 29, 12);
  const at = (ms: number) => new Date(ms).toISOString();
  const old = [
    { programId: 1, version: 1, supersededAt: at(now - 49 * H) }, // past the grace, named by nothing: goes
    { programId: 2, version: 3, supersededAt: at(now - 47 * H) }, // inside the grace: stays
    { programId: 3, version: 1, supersededAt: at(now - 100 * H) }, // past the grace but a live window names it: stays
    { programId: 4, version: 2, supersededAt: at(now - 48 * H) }, // exactly the grace: goes
  ];
  const named = new Set([versionKey(3, 1), versionKey(1, 2)]);
  t.same(
    collectable(old, named, now, 48 * H).map((v) => versionKey(v.programId, v.version)),
    ['1/v1', '4/v2'],
  );
  t.same(
    collectable(old, named, now, 0).map((v) => v.programId),
    [1, 2, 4],
    'no grace: only what is named stays',
  );
  t.same(collectable(old, new Set(), now - 101 * H, 0), [], 'nothing is collected before it was superseded');
});

t.test('output from before versions moves into v1/, entry by entry, and a half-done move is finished', async (t) => {
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'versions-adopt-'));
  t.teardown(() => fs.rmSync(mediaDir, { recursive: true, force: true }));
  const p = (...parts: string[]) => path.join(mediaDir, 'programs', ...parts);
  fs.mkdirSync(p('7', '240p'), { recursive: true });
  fs.writeFileSync(p('7', 'master.m3u8'), '#EXTM3U\n');
  fs.writeFileSync(p('7', '240p', 'seg_00000.ts'), 'segment');
  // Program 8 was half moved when the server stopped: its master is in v1 already, its rung is not.
  fs.mkdirSync(p('8', 'v1'), { recursive: true });
  fs.mkdirSync(p('8', '240p'), { recursive: true });
  fs.writeFileSync(p('8', 'v1', 'master.m3u8'), '#EXTM3U\n');
  fs.writeFileSync(p('8', '240p', 'index.m3u8'), 'playlist');
  // Program 9 is versioned already: untouched.
  fs.mkdirSync(p('9', 'v2'), { recursive: true });
  fs.writeFileSync(p('9', 'v2', 'master.m3u8'), 'v2');

  t.same(adoptUnversionedOutput({ mediaDir }).sort(), [7, 8]);
  t.equal(fs.readFileSync(p('7', 'v1', '240p', 'seg_00000.ts'), 'utf8'), 'segment');
  t.equal(fs.readFileSync(p('7', 'v1', 'master.m3u8'), 'utf8'), '#EXTM3U\n');
  t.same(fs.readdirSync(p('7')), ['v1'], 'nothing left outside the version folder');
  t.equal(fs.readFileSync(p('8', 'v1', '240p', 'index.m3u8'), 'utf8'), 'playlist');
  t.same(fs.readdirSync(p('8')), ['v1']);
  t.same(versionsOnDisk({ mediaDir }, 9), [2]);
  t.same(adoptUnversionedOutput({ mediaDir }), [], 'a second start has nothing to move');
});
