// Every source shape the field sends, through the product, checked with ffprobe: the house ladder holds.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { makeClip, streamsOf, startsOnKeyframe, lumaFrame, maxVolumeDb, type ClipShape, type ClipOptions } from '../../../testkit/media.ts';
import { submit, settle } from '../../../testkit/programs.ts';
import { RUNGS } from '../../../common/ladder.ts';
import { planLadder } from '../../../server/media/ladder.ts';
import { parseSegmentDurations } from '../../../server/media/hls.ts';
import { versionDir } from '../../../server/media/store.ts';
import { probeSource } from '../../../server/media/probe.ts';
import { locateTools } from '../../../server/media/tools.ts';

interface Case {
  shape: ClipShape;
  opts?: ClipOptions;
  /** Rungs expected. */
  rungs: string[];
  /** Silent track expected (no audio in the source). */
  silent?: boolean;
  /** Where to look for a black pad in the top rung: left edge (pillarbox) or top edge (letterbox). */
  pad?: 'left' | 'top';
  cardOnly?: boolean;
}

// Short clips; the shapes that test geometry keep theirs, the rest stay 240p (one or two rungs).
const CASES: Case[] = [
  { shape: 'hd', opts: { seconds: 2 }, rungs: ['720p', '480p', '360p', '240p'] },
  { shape: 'sd-interlaced', opts: { seconds: 2 }, rungs: ['480p', '360p', '240p'], pad: 'left' },
  { shape: 'portrait', opts: { seconds: 2, height: 360 }, rungs: ['360p', '240p'], pad: 'left' },
  { shape: 'odd-size', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'fps60', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'fps2997', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'vfr', opts: { seconds: 3 }, rungs: ['240p'] },
  { shape: 'mono', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'surround51', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'no-audio', opts: { seconds: 2 }, rungs: ['240p'], silent: true },
  { shape: 'audio-mp3', opts: { seconds: 2 }, rungs: ['720p', '480p', '360p', '240p'], cardOnly: true },
  { shape: 'audio-wav', opts: { seconds: 2 }, rungs: ['720p', '480p', '360p', '240p'], cardOnly: true },
  { shape: 'audio-m4a', opts: { seconds: 2 }, rungs: ['720p', '480p', '360p', '240p'], cardOnly: true },
  { shape: 'mov', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'mkv', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'avi', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'mpg', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'vob', opts: { seconds: 2 }, rungs: ['480p', '360p', '240p'] }, // 720x576 shown 16:9 fills the frame
  { shape: 'wmv', opts: { seconds: 2 }, rungs: ['240p'] },
  { shape: 'flv', opts: { seconds: 2 }, rungs: ['240p'] },
  // Long enough for several segments on two rungs: 4 s boundaries, aligned keyframes.
  { shape: 'mp4', opts: { seconds: 9, height: 360, name: 'long' }, rungs: ['360p', '240p'] },
  // Cut in half: decodes about half; the program must say what actually decodes.
  { shape: 'truncated', opts: { seconds: 8 }, rungs: ['240p'] },
];

t.test('every source shape becomes the house ladder', async (t) => {
  const s = await makeServer({ transcodeConcurrency: 2 });
  const work = tempDir('dyb-shapes-');
  t.teardown(async () => {
    await s.close();
    fs.rmSync(work, { recursive: true, force: true });
  });
  const { app } = s;
  const tools = locateTools({});

  const ids = new Map<Case, number>();
  const declared = new Map<Case, number | null>();
  for (const c of CASES) {
    const file = await makeClip(work, c.shape, c.opts);
    declared.set(c, (await probeSource(tools, file)).duration);
    const r = await submit(app, s.auth, file, `形状 ${c.shape}`);
    if (!('id' in r)) throw new Error(`${c.shape} refused: ${r.status} ${r.message}`);
    ids.set(c, r.id);
  }
  await settle(app, [...ids.values()].at(-1)!, 2);

  for (const c of CASES) {
    const id = ids.get(c)!;
    await t.test(c.shape, async (t) => {
      const prog = (await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: s.auth })).json();
      t.equal(prog.status, 'ready', `ready (${prog.error ?? ''})`);
      if (prog.status !== 'ready') return;
      t.same(
        prog.renditions.map((r: { name: string }) => r.name),
        c.rungs,
        'rungs',
      );
      const dir = versionDir(app.config, id, 1);
      const master = fs.readFileSync(path.join(dir, 'master.m3u8'), 'utf8');
      const boundaries: number[][] = [];
      for (const name of c.rungs) {
        const house = RUNGS.find((r) => r.name === name)!;
        t.match(master, new RegExp(`RESOLUTION=${house.width}x${house.height}.*\\n${name}/index\\.m3u8`), `${name} in master`);
        const list = fs.readFileSync(path.join(dir, name, 'index.m3u8'), 'utf8');
        const durations = parseSegmentDurations(list);
        boundaries.push(durations);
        durations.slice(0, -1).forEach((d, i) => t.ok(Math.abs(d - 4) < 0.05, `${name} segment ${i} lasts 4 s (${d})`));
        t.ok(durations.at(-1)! > 0 && durations.at(-1)! <= 4.05, `${name} last segment <= 4 s`);
        const segFiles = list.split('\n').filter((l) => l.endsWith('.ts'));
        // Codec checks on the first segment, keyframe checks on all.
        const { video, audio } = await streamsOf(path.join(dir, name, segFiles[0]));
        t.match(
          video,
          { codec_name: 'h264', profile: 'Main', pix_fmt: 'yuv420p', width: house.width, height: house.height },
          `${name} video`,
        );
        t.match(audio, { codec_name: 'aac', profile: 'LC', sample_rate: '48000', channels: 2 }, `${name} audio`);
        for (const f of segFiles) t.ok(await startsOnKeyframe(path.join(dir, name, f)), `${name}/${f} starts on a keyframe`);
      }
      for (const b of boundaries.slice(1)) t.same(b, boundaries[0], 'the same segment boundaries on every rung');
      const segRows = app.db.prepare('SELECT duration FROM segments WHERE program_id = ? ORDER BY seq').all(id) as { duration: number }[];
      t.same(
        segRows.map((r) => r.duration),
        boundaries[0],
        'segment list stored as in the playlists',
      );
      const sum = boundaries[0].reduce((a, b) => a + b, 0);
      t.ok(Math.abs(prog.duration - sum) < 0.01, 'duration = sum of segments');

      if (c.shape === 'truncated') {
        const full = c.opts!.seconds!;
        t.ok(prog.duration < full * 0.8 && prog.duration > 1, `a cut file claims what decodes (${prog.duration} s), not ${full} s`);
      } else if (c.opts?.seconds) {
        t.ok(Math.abs(prog.duration - c.opts.seconds) < 0.15, `duration ${prog.duration} ~ ${c.opts.seconds} s`);
      }
      if (c.silent) {
        t.ok((await maxVolumeDb(path.join(dir, c.rungs[0], 'seg_00000.ts'))) < -80, 'silent track where the source had none');
      } else {
        t.ok((await maxVolumeDb(path.join(dir, c.rungs.at(-1)!, 'seg_00000.ts'))) > -40, 'the source sound is there');
      }

      const top = RUNGS.find((r) => r.name === c.rungs[0])!;
      const luma = await lumaFrame(path.join(dir, top.name, 'seg_00000.ts'), 0.5, top.width, top.height);
      const at = (x: number, y: number) => luma[y * top.width + x];
      if (c.pad === 'left') {
        t.ok(at(2, top.height >> 1) <= 20, `pillarbox: left edge black (${at(2, top.height >> 1)})`);
        t.ok(at(top.width - 3, top.height >> 1) <= 20, 'pillarbox: right edge black');
      } else if (c.pad === 'top') {
        t.ok(at(top.width >> 1, 2) <= 20, `letterbox: top edge black (${at(top.width >> 1, 2)})`);
      }
      if (c.pad) {
        // The picture itself is not black: boxed, not blanked. testsrc is bright in the middle rows.
        const row = top.height >> 1;
        let bright = 0;
        for (let x = 0; x < top.width; x++) if (at(x, row) > 60) bright++;
        t.ok(bright > 20, 'the picture is there between the bars');
      }
      if (c.cardOnly) {
        const plan = planLadder({
          container: '',
          duration: 2,
          size: 1,
          bitRate: null,
          video: null,
          audio: { index: 0, codec: 'mp3', channels: 2, sampleRate: 48000, layout: null },
        });
        t.ok(plan.audioOnly);
        let light = 0;
        for (let i = 0; i < luma.length; i += 7) if (luma[i] > 150) light++;
        t.ok(light > 50, 'the title card has its text drawn');
      }
      t.ok(fs.existsSync(path.join(dir, 'poster.jpg')), 'poster');
      const files = app.db.prepare('SELECT count(*) AS n FROM program_files WHERE program_id = ?').get(id) as { n: number };
      const onDisk = c.rungs.reduce((n, name) => n + fs.readdirSync(path.join(dir, name)).length, 2);
      t.equal(files.n, onDisk, 'program_files lists every published file');
    });
  }
  t.same(fs.readdirSync(path.join(app.config.mediaDir, 'tmp')), [], 'no build folder left behind');
});
