// The central library with two real servers on sockets: a centre offers a program (distribute), a paired province
// follows the feed (platform token, ETag), mirrors the HLS files inside its download window, each file verified (a
// staged file damaged on disk is fetched again), and lists the program ready only once every file is in; the mirror
// is read-only below; a central re-transcode arrives as a new version; a withdrawal unpublishes it with a warning.
// Last, the province's console in Chromium: the link, the mirror's counts, the "中央" tag in the library,
// and carrying the centre's channel with a provincial window from the page.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { readyProgram } from '../../../testkit/programs.ts';
import { ADMIN_PASSWORD, userAuth } from '../../../testkit/helpers.ts';
import { JobWorker, waitForProgram } from '../../../server/media/jobs.ts';
import { tmpRoot } from '../../../server/media/store.ts';
import { line, listening, registerProvince } from '../platforms/fixtures.ts';
import { agentFor, rmDir } from '../agent/agent-fixture.ts';
import type { LibraryFeed, MirrorStatus } from '../../../common/api/platforms.ts';
import type { Program } from '../../../common/api/catalog.ts';
import { ensureConsoleBuilt, openConsole, shot, signIn } from '../../../testkit/console-app.ts';

const TZ = 'Asia/Shanghai';
/** An instant at hh:mm today in the province zone: the mirror is asked with `now`, the window decides. */
// The download window opens six hours from now (three hours long), so the real clock the status route reads stays
// outside it whatever time of day the suite runs; syncs pass their own instants: inside(minutes) or outside().
const WINDOW_OPENS = DateTime.now().setZone(TZ).plus({ hours: 6 }).startOf('hour');
const WINDOW = `${WINDOW_OPENS.toFormat('HH:mm')}-${WINDOW_OPENS.plus({ hours: 3 }).toFormat('HH:mm')}`;
const inside = (minutes: number) => WINDOW_OPENS.plus({ minutes }).toJSDate();
const outside = () => new Date();

t.test('a central program is offered, mirrored verified inside the window, read-only below, updated and withdrawn', async (t) => {
  await ensureConsoleBuilt(); // the servers serve the console built before they start
  const centre = await listening();
  t.teardown(() => centre.close());
  const centralId = await readyProgram(centre.app, { seconds: 3, title: '中央讲座' });
  const { regionId, code } = await registerProvince(centre, '某省');

  // Only province regions may be named; the reason says what to send.
  const county = await centre.app.inject({
    method: 'POST',
    url: '/api/regions',
    headers: centre.auth,
    payload: { name: '某县', level: 'county' },
  });
  const wrong = await centre.app.inject({
    method: 'PATCH',
    url: `/api/programs/${centralId}`,
    headers: centre.auth,
    payload: { distribute: true, distributeTo: [county.json().id] },
  });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.json().error, { code: 'not_a_province', message: /not a province.*province regions/ });
  t.equal(
    (await centre.app.inject({ url: `/api/programs/${centralId}`, headers: centre.auth })).json().distribute,
    false,
    'nothing half-written',
  );

  const hop = await line(centre.url); // the network between them, which the test can cut
  t.teardown(() => hop.close());
  const province = await listening({
    upstreamUrl: hop.url,
    upstreamPairCode: code,
    provinceTz: TZ,
    upstreamDownloadWindow: WINDOW,
    upstreamBandwidthKbps: 50_000,
  });
  t.teardown(() => province.close());
  await province.app.upstream.pair();
  const creds = province.app.upstream.credentials();
  t.ok(creds, 'the province paired with its one-time code');
  const feedUrl = `${centre.url}/api/platforms/me/library`;
  const feed = async (headers: Record<string, string> = { authorization: `Bearer ${creds!.token}` }) => fetch(feedUrl, { headers });

  t.equal((await feed({})).status, 401, 'the feed needs the platform token');
  t.same(((await (await feed()).json()) as LibraryFeed).programs, [], 'nothing offered yet');

  const offered = await centre.app.inject({
    method: 'PATCH',
    url: `/api/programs/${centralId}`,
    headers: centre.auth,
    payload: { distribute: true, distributeTo: [regionId] },
  });
  t.equal(offered.statusCode, 200, offered.body);
  t.match(offered.json(), { distribute: true, distributeTo: [regionId], origin: 'local' });
  const first = await feed();
  const body = (await first.json()) as LibraryFeed;
  t.equal(body.programs.length, 1);
  const item = body.programs[0]!;
  t.match(item, { id: centralId, title: '中央讲座', version: 1 });
  t.ok(
    item.files.some((f) => f.path === 'master.m3u8') && item.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.size > 0),
    'every file with its size and sha256',
  );
  const unchanged = await feed({ authorization: `Bearer ${creds!.token}`, 'if-none-match': first.headers.get('etag')! });
  t.equal(unchanged.status, 304, 'the ETag holds while nothing changes');

  // Outside the window: the program is listed (origin central) but not ready, nothing fetched.
  const mirror = province.app.mirror!;
  await mirror.sync(outside());
  const listed = async () => (await province.app.inject({ url: '/api/programs', headers: province.auth })).json().items as Program[];
  const [local] = await listed();
  t.match(local, { origin: 'central', title: '中央讲座', status: 'queued', hls: null });
  const status = async () =>
    (await province.app.inject({ url: '/api/upstream', headers: province.auth })).json().parts.mirror as MirrorStatus;
  const closed = await status();
  t.match(closed, { programs: 1, ready: 0, fetching: 1, inWindow: false, window: WINDOW, bytesVerified: 0, lastError: null });
  t.equal(Date.parse(closed.windowOpensAt!), WINDOW_OPENS.toMillis(), 'it says when the window opens');

  // A staged file with the right size but wrong bytes (a damaged disk) is never trusted.
  const staging = path.join(tmpRoot(province.config), `mirror-${centralId}-v1`);
  const segment = item.files.find((f) => f.path.endsWith('.ts'))!;
  fs.mkdirSync(path.dirname(path.join(staging, segment.path)), { recursive: true });
  fs.writeFileSync(path.join(staging, segment.path), Buffer.alloc(segment.size, 7));

  // The centre unreachable inside the window: the error is shown, nothing is half-published.
  hop.mode = 'down';
  await mirror.sync(inside(10));
  t.match(await status(), { ready: 0, fetching: 1, lastError: /unreachable/ });
  t.match((await listed())[0], { status: 'queued', hls: null });
  hop.mode = 'pass';
  await mirror.sync(inside(30));
  const [ready] = await listed();
  t.match(ready, { id: local!.id, origin: 'central', status: 'ready', duration: item.duration });
  t.match(await status(), { programs: 1, ready: 1, fetching: 0, lastError: null });
  for (const f of item.files) {
    const served = await fetch(`${province.url}/media/programs/${local!.id}/v1/${f.path}`);
    const bytes = Buffer.from(await served.arrayBuffer());
    if (
      served.status !== 200 ||
      bytes.length !== f.size ||
      (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex') !== f.sha256
    ) {
      t.fail(`${f.path} at the province differs from the centre`);
    }
  }
  t.pass("every file at the province has the centre's size and sha256, the damaged one included");

  // A village site under the province holds the mirrored lecture like any other and plays it from its cache, the
  // uplink to the province down.
  const village = await province.app.inject({
    method: 'POST',
    url: '/api/regions',
    headers: province.auth,
    payload: { name: '某村', level: 'village' },
  });
  const site = await province.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: province.auth,
    payload: { name: '某村活动室', regionId: village.json().id },
  });
  t.equal(site.statusCode, 201, site.body);
  const uplink = await line(province.url);
  t.teardown(() => uplink.close());
  const agent = await agentFor(uplink.url, { pairCode: site.json().pairingCode });
  t.teardown(async () => {
    await agent.close();
    rmDir(agent.dataDir);
  });
  await agent.syncNow();
  const siteCatalog = async () => (await (await fetch(`${agent.url}/local/catalog`)).json()).items as Array<{ id: number; title: string }>;
  t.match(await siteCatalog(), [{ id: local!.id, title: '中央讲座' }], "the site's catalog offers the mirrored lecture");
  const asked = await fetch(`${agent.url}/local/downloads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ programId: local!.id }),
  });
  t.equal(asked.status, 202, 'the member asks for it with the remote');
  await agent.whenIdle();
  uplink.mode = 'down';
  await agent.syncNow().catch(() => undefined); // the agent finds the uplink down
  const sha = async (res: Response) =>
    (await import('node:crypto'))
      .createHash('sha256')
      .update(Buffer.from(await res.arrayBuffer()))
      .digest('hex');
  for (const f of item.files.filter((f) => f.path.endsWith('.ts'))) {
    const played = await fetch(`${agent.url}/media/programs/${local!.id}/v1/${f.path}`);
    if (played.status !== 200 || (await sha(played)) !== f.sha256) t.fail(`${f.path} at the site differs from the centre`);
  }
  t.match(await (await fetch(`${agent.url}/media/programs/${local!.id}/v1/master.m3u8`)).text(), /#EXT-X-STREAM-INF/);
  t.equal((await (await fetch(`${agent.url}/local/status`)).json()).online, false, 'the uplink is down');
  t.pass("the site plays every segment from its cache with the centre's sha256, offline");
  uplink.mode = 'pass';

  // Read-only below: the province may schedule it, not change or delete it.
  const patch = await province.app.inject({
    method: 'PATCH',
    url: `/api/programs/${local!.id}`,
    headers: province.auth,
    payload: { title: 'x' },
  });
  t.equal(patch.statusCode, 409);
  t.match(patch.json().error, { code: 'central_program', message: /comes from the central platform/ });
  const del = await province.app.inject({ method: 'DELETE', url: `/api/programs/${local!.id}`, headers: province.auth });
  t.equal(del.statusCode, 409);

  // A central re-transcode and new metadata arrive: the held version plays until the new one is verified whole.
  await centre.app.inject({
    method: 'PATCH',
    url: `/api/programs/${centralId}`,
    headers: centre.auth,
    payload: { title: '中央讲座（修订）' },
  });
  const again = await centre.app.inject({ method: 'POST', url: `/api/programs/${centralId}/retranscode`, headers: centre.auth });
  t.equal(again.statusCode, 202, again.body);
  await new JobWorker({ db: centre.app.db, config: centre.config }).drain();
  t.equal((await waitForProgram(centre.app.db, centralId, 120_000)).status, 'ready');
  await mirror.sync(outside());
  t.match(
    (await listed())[0],
    { title: '中央讲座（修订）', status: 'ready', hls: `/media/programs/${local!.id}/v1/master.m3u8` },
    'metadata follows at once; the held version stays on air outside the window',
  );
  await mirror.sync(inside(60));
  t.match((await listed())[0], { status: 'ready', hls: `/media/programs/${local!.id}/v2/master.m3u8` }, 'the new central version is in');

  // The centre's channels reach the province with their schedule, items mapped to the programs mirrored here.
  const centreChannel = await centre.app.inject({
    method: 'POST',
    url: '/api/channels',
    headers: centre.auth,
    payload: { number: 1, name: '中央一台' },
  });
  const soon = Date.now() + 3_600_000;
  const onAir = await centre.app.inject({
    method: 'POST',
    url: `/api/channels/${centreChannel.json().id}/schedule`,
    headers: centre.auth,
    payload: { programId: centralId, start: new Date(soon).toISOString() },
  });
  t.equal(onAir.statusCode, 201, onAir.body);
  const carried = await province.app.inject({ url: '/api/upstream/channels', headers: province.auth });
  t.equal(carried.statusCode, 200, carried.body);
  t.match(carried.json().channels, [
    {
      id: centreChannel.json().id,
      number: 1,
      name: '中央一台',
      items: [{ programId: centralId, localProgramId: local!.id, title: '中央讲座（修订）' }],
    },
  ]);
  const organizer = await userAuth(province.app, 'org', 'organizer');
  t.equal((await province.app.inject({ url: '/api/upstream/channels', headers: organizer })).statusCode, 403, 'operators only');

  // Scheduled below like any program; withdrawn at the centre, it leaves future schedules and the operator is told.
  const channel = await province.app.inject({
    method: 'POST',
    url: '/api/channels',
    headers: province.auth,
    payload: { number: 7, name: '七频道' },
  });
  const tomorrow = Date.now() + 86_400_000;
  const scheduled = await province.app.inject({
    method: 'POST',
    url: `/api/channels/${channel.json().id}/schedule`,
    headers: province.auth,
    payload: { programId: local!.id, start: new Date(tomorrow).toISOString() },
  });
  t.equal(scheduled.statusCode, 201, scheduled.body);
  await centre.app.inject({ method: 'PATCH', url: `/api/programs/${centralId}`, headers: centre.auth, payload: { distribute: false } });
  await mirror.sync(outside());
  t.match((await listed())[0], { id: local!.id, published: false });
  const range = `from=${new Date(tomorrow - 60_000).toISOString()}&to=${new Date(tomorrow + 3_600_000).toISOString()}`;
  const schedule = await province.app.inject({ url: `/api/channels/${channel.json().id}/schedule?${range}`, headers: province.auth });
  t.same(schedule.json().items, [], 'the withdrawn program left the schedule to come');
  const withdrawn = await status();
  t.match(withdrawn, { programs: 0, withdrawn: 1 });
  t.match(withdrawn.warnings, [
    {
      programId: local!.id,
      message: /withdrew.*1 scheduled item\(s\) to come were removed.*channel\(s\) \d+: fill the gaps/,
      title: '中央讲座（修订）',
      removedItems: 1,
      endedSlots: 0,
      channels: [{ id: channel.json().id, number: 7, name: '七频道' }],
    },
  ]);

  // The province's console: the link and the mirror in words, the tag. No "send now" here: a province's first send
  // carries up to a year of history, more CPU than this step may spend (test/integration/platforms/link.test.ts sends).
  const b = await openConsole();
  t.teardown(() => b.close());
  const { page } = b;
  // Signed in straight to /upstream, then moved about inside the app (no reload): the step stays cheap.
  await signIn(page, province.url, 'admin', ADMIN_PASSWORD, '/upstream');
  const menu = (label: string) => page.locator('.el-aside .el-menu-item', { hasText: label }).click();
  // The menu learns this server's tier from GET /api/upstream after the page shows: wait for the entry it adds.
  await page.locator('.el-aside .el-menu-item', { hasText: '上级平台' }).waitFor();
  t.match(await page.textContent('.el-aside'), /上级平台/, 'a province has the upstream entry');
  t.notMatch(await page.textContent('.el-aside'), /省级平台/, 'and registers no provinces');
  await page.locator('[data-test=upstream-state]', { hasText: '已接入' }).waitFor();
  t.match(await page.textContent('[data-test=upstream-link]'), /某省/, 'the region it is registered as at the centre');
  t.equal(await page.textContent('[data-test=mirror-withdrawn]'), '1', "the mirror's counts");
  t.match(
    await page.textContent('[data-test=mirror-window]'),
    new RegExp(`下载时段（${WINDOW}，省内时间）外.*将于 .*${WINDOW_OPENS.toFormat('HH:mm')} 开始下载`),
    'when the files will come, in words',
  );
  const warning = await page.textContent('[data-test=mirror-warning]');
  t.match(
    warning,
    /中央已撤回《中央讲座（修订）》.*删除待播节目 1 条，结束循环时段 0 个（频道 7 七频道），请补上空档/,
    'the withdrawal told to the operator in Chinese',
  );
  t.notMatch(warning, /withdrew/, 'not in the English of the log');
  await page.locator('[data-test=upstream-channels] .el-table__row', { hasText: '中央一台' }).waitFor();
  await shot(page, 'upstream-province');
  await menu('节目库');
  const row = page.locator('[data-test=program-table] .el-table__row', { hasText: '中央讲座（修订）' });
  await row.locator('[data-test=origin-central]', { hasText: '中央' }).waitFor();
  t.equal(await row.locator('[data-test=central-actions] button:disabled').count(), 3, 'edit, re-transcode, delete disabled');
  await shot(page, 'library-central');
  await row.locator('a', { hasText: '中央讲座' }).click();
  await page.locator('[data-test=detail-origin]', { hasText: '中央' }).waitFor();
  t.equal(
    await page.locator('[data-test=central-actions] button:disabled').count(),
    4,
    'the detail: publish, edit, re-transcode, delete disabled',
  );

  // Carry the centre's channel from the page with a window (19:30-20:00, every day but the central item's, so that
  // item stays whole): its week shows the centre's item read-only and the windows shaded; the operator fills a
  // window, and an item outside every window is refused with the server's reason.
  const soonAt = DateTime.fromMillis(soon).setZone(TZ);
  await menu('上级平台');
  await page.locator('[data-test=upstream-channels] [data-test=carry]').click();
  const carryDialog = page.locator('.el-dialog:visible');
  await carryDialog.locator('input[data-test=carry-name]').fill('中央一台（转播）');
  await carryDialog.locator('[data-test=add-window]').click();
  await carryDialog
    .locator('[data-test=carry-window] .el-checkbox-button')
    .nth(soonAt.weekday - 1)
    .click();
  await carryDialog.locator('[data-test=carry-save]').click();
  await page.waitForURL(/\/channels\/\d+$/);
  const carriedId = Number(new URL(page.url()).pathname.split('/').pop());
  const stored = (await province.app.inject({ url: `/api/channels/${carriedId}`, headers: province.auth })).json();
  t.match(
    stored.carry,
    { centralChannelId: centreChannel.json().id, windows: [{ start: '19:30', end: '20:00' }] },
    'carried with its window',
  );
  t.same(
    stored.carry.windows[0].days,
    [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== soonAt.weekday),
  );
  await page.locator('[data-test=carry-info]', { hasText: '中央一台' }).waitFor();
  if (!soonAt.startOf('week').equals(DateTime.now().setZone(TZ).startOf('week'))) await page.click('text=下一周');
  await page.locator('[data-test=schedule-block][data-origin=central]').first().click();
  await page.locator('[data-test=central-read-only]').waitFor();
  t.equal(await page.locator('[data-test=selected-item] [data-test=delete-item]').count(), 0, 'a central item cannot be deleted here');
  t.ok((await page.locator('[data-test=window-band]').count()) >= 5, 'the windows shaded on their days');
  await shot(page, 'schedule-carried');
  const addItem = async (start?: string) => {
    await page.click('[data-test=add-item]');
    const dialog = page.locator('.el-dialog:visible');
    await dialog.locator('[data-test=program-picker]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '中央讲座' }).first().click();
    const input = dialog.locator('.el-date-editor input');
    if (start) {
      await input.fill(start);
      await input.press('Enter');
    }
    const offered = await input.inputValue();
    await dialog.locator('[data-test=add-save]').click();
    return { dialog, offered };
  };
  const filled = await addItem();
  t.match(filled.offered, / 19:[345]\d$/, 'a new item starts inside a window by default');
  await filled.dialog.waitFor({ state: 'hidden' });
  const refused = await addItem(soonAt.plus({ days: 1 }).set({ hour: 10, minute: 0 }).toFormat('yyyy-MM-dd HH:mm'));
  t.match(
    await refused.dialog.locator('[data-test=add-error]').textContent(),
    /19:30.*not wholly inside one window/,
    "the server's reason",
  );
  const week = `from=${new Date().toISOString()}&to=${new Date(Date.now() + 8 * 86_400_000).toISOString()}`;
  const items = (await province.app.inject({ url: `/api/channels/${carriedId}/schedule?${week}`, headers: province.auth })).json()
    .items as Array<{ origin: string }>;
  t.equal(items.filter((i) => i.origin === 'local').length, 1, "the province's item in its window, the refused one not stored");
  t.ok(
    items.some((i) => i.origin === 'central'),
    "the centre's item carried",
  );
  await page.keyboard.press('Escape');
  await menu('频道编排');
  await page.locator('[data-test=channel-carry]', { hasText: '转播：中央一台' }).waitFor();
  t.match(await page.textContent('[data-test=channel-carry]'), /19:30–20:00/, 'the channel list names the central channel and the windows');
  t.same(b.errors, [], 'no page errors');
});
