// Uploading through the console with the tus protocol: the link is throttled so the file is mid-way when the
// server is stopped; a new server on the same port and data dir comes up and the browser resumes from the last
// byte the server held (its PATCH carries that offset), the file goes through the ingest path and the program is
// transcoded to ready. Then the operator edits the title and publishes it from the detail page.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { makeClip } from '../../testkit/media.ts';
import { tempDir } from '../../testkit/helpers.ts';
import { waitForProgram } from '../../server/media/jobs.ts';
import { uploadsDir } from '../../server/catalog/resumable-upload.ts';
import { openConsole, shot, signIn, startConsoleServer, type ConsoleServer } from '../../testkit/console-app.ts';

t.test('a console upload survives a server restart mid-file and the program reaches ready', async (t) => {
  let cs: ConsoleServer = await startConsoleServer({ startWorkers: true });
  const dataDir = cs.server.config.dataDir;
  const port = cs.port;
  t.teardown(async () => {
    await cs.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const scratch = tempDir('dyb-console-clip-');
  t.teardown(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const clip = await makeClip(scratch, 'mpg', { seconds: 8, name: '乡村振兴_第一讲' });
  const size = fs.statSync(clip).size;
  t.ok(size > 400_000, `the clip is big enough to cut mid-way (${size} bytes)`);

  const b = await openConsole();
  t.teardown(() => b.close());
  const { page } = b;
  const patches: Array<{ offset: number; at: number }> = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().includes('/api/uploads/'))
      patches.push({ offset: Number(r.headers()['upload-offset']), at: Date.now() });
  });
  await signIn(page, cs.url, 'admin', undefined, '/library');
  await page.waitForSelector('[data-test=library]');

  // About 120 KB/s up: the file takes several seconds, time enough to pull the plug in the middle.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 120 * 1024 });

  await page.click('[data-test=open-upload]');
  await page.setInputFiles('[data-test=file-input]', clip);
  await page.waitForSelector('[data-test=upload-entry]');
  t.equal(await page.inputValue('input[data-test=upload-title]'), '乡村振兴 第一讲', 'the title defaults from the file name');
  await page.click('[data-test=upload-start]');

  // Wait until the server holds part of the file, then stop it hard (connections cut).
  const dir = uploadsDir(cs.server.config);
  const held = () =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => !f.endsWith('.json'))
          .map((f) => fs.statSync(path.join(dir, f)).size)
      : [];
  const deadline = Date.now() + 60_000;
  while (!(held()[0] > size / 5) && Date.now() < deadline) await page.waitForTimeout(100);
  await shot(page, 'upload-progress');
  cs.server.app.server.closeAllConnections();
  await cs.close();
  const stoppedAt = Date.now();
  const before = held()[0];
  t.ok(before > 0 && before < size, `the server held ${before} of ${size} bytes when it stopped`);
  await page.waitForSelector('[data-test=upload-state]:has-text("重试")', { timeout: 30_000 });
  await shot(page, 'upload-retrying');

  // The same server comes back (same port, same data dir: the partial upload is on disk).
  cs = await startConsoleServer({ dataDir, startWorkers: true }, port);
  await page.waitForSelector('[data-test=upload-state]:has-text("已完成")', { timeout: 120_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const resumed = patches.filter((p) => p.at > stoppedAt);
  t.ok(resumed.length >= 1, 'the browser sent the rest after the restart');
  t.ok(resumed[0].offset > 0, `it resumed from byte ${resumed[0].offset}, not from zero`);
  t.equal(resumed[0].offset, before, 'exactly from what the server held');
  await shot(page, 'upload-done');

  // The program went through ingest and the transcode worker to ready.
  const list = (await cs.server.app.inject({ method: 'GET', url: '/api/programs', headers: cs.server.auth })).json() as {
    items: Array<{ id: number; title: string; sourceSize: number }>;
  };
  const program = list.items.find((p) => p.title === '乡村振兴 第一讲');
  t.ok(program, 'the program is in the catalog with the title from the upload');
  t.equal(program!.sourceSize, size, 'the whole file arrived, byte for byte in size');
  const end = await waitForProgram(cs.server.app.db, program!.id, 180_000);
  t.equal(end.status, 'ready', 'transcoded to ready');
  t.same(fs.existsSync(dir) ? fs.readdirSync(dir) : [], [], 'nothing is left in the uploads folder');

  // Edit and publish from the detail page.
  await page.goto(`${cs.url}/library/${program!.id}`);
  await page.waitForSelector('[data-test=detail-status]:has-text("就绪")');
  await page.click('[data-test=detail-edit]');
  await page.fill('input[data-test=edit-title]', '乡村振兴政策解读（第一讲）');
  await page.click('[data-test=edit-save]');
  await page.waitForSelector('[data-test=program-title]:has-text("乡村振兴政策解读（第一讲）")');
  await shot(page, 'program-edited');
  await page.click('[data-test=publish]');
  await page.waitForSelector('.el-tag:has-text("已发布")');
  await page.waitForSelector('[data-test=preview-video]');
  await shot(page, 'program-published');
  const after = (await cs.server.app.inject({ method: 'GET', url: `/api/programs/${program!.id}`, headers: cs.server.auth })).json();
  t.equal(after.title, '乡村振兴政策解读（第一讲）', 'the new title is stored');
  t.equal(after.published, true, 'published');
  t.same(
    b.errors.filter((e) => !/uploads/.test(e)),
    [],
    'no script errors',
  );
});
