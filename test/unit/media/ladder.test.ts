// Pure parts of the media pipeline: the ladder plan over many source shapes, the HLS text helpers,
// the probe interpretation and the Range parser of media serving.
import t, { type Test } from 'tap';
import { RUNGS, SEGMENT_SECONDS } from '../../../common/ladder.ts';
import { planLadder, outputFrameRate, fitInRung, type LadderPlan } from '../../../server/media/ladder.ts';
import { interpretProbe, MediaRejectedError, type SourceProbe } from '../../../server/media/probe.ts';
import { parseSegmentDurations, sameBoundaries } from '../../../server/media/hls.ts';
import { parseRange, splitVersionedFile } from '../../../server/media/serve.ts';
import { retryDelayMs, storedProbe } from '../../../server/media/jobs.ts';
import { wrapTitle } from '../../../server/media/card.ts';

function probe(
  w: number | null,
  h = 0,
  rate: [number, number] = [25, 1],
  extra: Partial<NonNullable<SourceProbe['video']>> = {},
  audio = true,
): SourceProbe {
  return {
    container: 'test',
    duration: 10,
    size: 1000,
    bitRate: null,
    video:
      w === null
        ? null
        : {
            index: 0,
            codec: 'h264',
            width: w,
            height: h,
            displayWidth: w,
            displayHeight: h,
            frameRate: rate,
            variableFrameRate: false,
            interlaced: false,
            rotation: 0,
            ...extra,
          },
    audio: audio ? { index: 1, codec: 'aac', channels: 2, sampleRate: 48000, layout: 'stereo' } : null,
  };
}

/** Invariants every plan must hold, whatever the source. */
function checkPlan(t: Test, plan: LadderPlan, label: string) {
  t.ok(plan.rungs.length >= 1, `${label}: at least one rung`);
  for (const r of plan.rungs) {
    const house = RUNGS.find((x) => x.name === r.name)!;
    t.equal(r.width, house.width, `${label} ${r.name}: house width`);
    t.equal(r.height, house.height, `${label} ${r.name}: house height`);
    t.ok(r.contentWidth % 2 === 0 && r.contentHeight % 2 === 0, `${label} ${r.name}: even picture`);
    t.ok(r.contentWidth <= r.width && r.contentHeight <= r.height, `${label} ${r.name}: picture inside the frame`);
    t.ok(
      r.padX >= 0 && r.padY >= 0 && r.padX + r.contentWidth <= r.width && r.padY + r.contentHeight <= r.height,
      `${label} ${r.name}: pad inside`,
    );
    t.ok(
      r.contentWidth === r.width || r.contentHeight === r.height,
      `${label} ${r.name}: the picture touches two sides (boxed, not shrunk)`,
    );
    // Not stretched: aspect of the picture within rounding of the source's.
    const srcAspect = plan.sourceWidth / plan.sourceHeight;
    const outAspect = r.contentWidth / r.contentHeight;
    t.ok(
      Math.abs(outAspect - srcAspect) / srcAspect < 0.03,
      `${label} ${r.name}: aspect kept (${outAspect.toFixed(3)} vs ${srcAspect.toFixed(3)})`,
    );
    t.ok(r.bandwidth > r.videoBitrate, `${label} ${r.name}: bandwidth includes peak and audio`);
  }
  const fps = plan.frameRate[0] / plan.frameRate[1];
  t.ok(fps > 0 && fps <= 30.001, `${label}: fps ${fps} capped at 30`);
  t.equal(plan.gop, Math.ceil(SEGMENT_SECONDS * fps - 1e-9), `${label}: GOP = 4 s of frames`);
  const names = plan.rungs.map((r) => r.name);
  t.same(
    names,
    RUNGS.filter((r) => names.includes(r.name)).map((r) => r.name),
    `${label}: highest first, no repeats`,
  );
}

t.test('ladder plan over source shapes', async (t) => {
  const table: { label: string; p: SourceProbe; rungs: string[]; fps?: [number, number] }[] = [
    { label: '1080p', p: probe(1920, 1080), rungs: ['720p', '480p', '360p', '240p'] },
    { label: '720p', p: probe(1280, 720), rungs: ['720p', '480p', '360p', '240p'] },
    { label: '1278x718 (near 720p)', p: probe(1278, 718), rungs: ['720p', '480p', '360p', '240p'] },
    {
      label: 'PAL 4:3 720x576 displayed 768x576',
      p: { ...probe(720, 576), video: { ...probe(720, 576).video!, displayWidth: 768 } },
      rungs: ['480p', '360p', '240p'],
    },
    { label: '640x480 4:3', p: probe(640, 480), rungs: ['480p', '360p', '240p'] },
    { label: '480x360', p: probe(480, 360), rungs: ['360p', '240p'] },
    { label: 'portrait 720x1280', p: probe(720, 1280), rungs: ['720p', '480p', '360p', '240p'] },
    { label: 'portrait 240x426 (fits 360p unenlarged)', p: probe(240, 426), rungs: ['360p', '240p'] },
    { label: 'odd 350x262', p: probe(350, 262), rungs: ['240p'] },
    { label: 'tiny 160x120', p: probe(160, 120), rungs: ['240p'] },
    { label: 'ultra-wide 2560x720', p: probe(2560, 720), rungs: ['720p', '480p', '360p', '240p'] },
    { label: '426x240', p: probe(426, 240), rungs: ['240p'] },
    { label: '60 fps', p: probe(1280, 720, [60, 1]), rungs: ['720p', '480p', '360p', '240p'], fps: [30, 1] },
    { label: '59.94 fps', p: probe(854, 480, [60000, 1001]), rungs: ['480p', '360p', '240p'], fps: [30000, 1001] },
    { label: '50 fps', p: probe(854, 480, [50, 1]), rungs: ['480p', '360p', '240p'], fps: [25, 1] },
    { label: '29.97 fps', p: probe(640, 360, [30000, 1001]), rungs: ['360p', '240p'], fps: [30000, 1001] },
    { label: '23.976 fps', p: probe(640, 360, [24000, 1001]), rungs: ['360p', '240p'], fps: [24000, 1001] },
    { label: 'VFR average 22.3', p: probe(640, 360, [223, 10], { variableFrameRate: true }), rungs: ['360p', '240p'], fps: [22, 1] },
    { label: '120 fps', p: probe(640, 360, [120, 1]), rungs: ['360p', '240p'], fps: [30, 1] },
    { label: 'audio only', p: probe(null), rungs: ['720p', '480p', '360p', '240p'], fps: [25, 1] },
  ];
  for (const row of table) {
    const plan = planLadder(row.p);
    t.same(
      plan.rungs.map((r) => r.name),
      row.rungs,
      `${row.label}: rungs`,
    );
    if (row.fps) t.same(plan.frameRate, row.fps, `${row.label}: frame rate`);
    checkPlan(t, plan, row.label);
  }
  const capped = planLadder(probe(1920, 1080), { maxRung: '480p' });
  t.same(
    capped.rungs.map((r) => r.name),
    ['480p', '360p', '240p'],
    'maxRung caps the ladder',
  );
  t.throws(() => planLadder(probe(1920, 1080), { maxRung: '1080p' as never }), /unknown rung/);

  const ao = planLadder(probe(null));
  t.ok(ao.audioOnly, 'no video: a title card');
  t.notOk(ao.silentAudio);
  const mute = planLadder(probe(640, 360, [25, 1], {}, false));
  t.ok(mute.silentAudio, 'no audio: a silent track');
  t.ok(planLadder(probe(720, 576, [25, 1], { interlaced: true })).deinterlace, 'interlaced: deinterlaced');
  t.notOk(planLadder(probe(720, 576)).deinterlace);

  const four3 = planLadder(probe(640, 480)).rungs[0];
  t.match(four3, { name: '480p', contentWidth: 640, contentHeight: 480, padX: 106, padY: 0 }, '4:3 in 480p: pillarbox');
  const portrait = planLadder(probe(720, 1280)).rungs.find((r) => r.name === '720p')!;
  t.match(portrait, { contentWidth: 406, contentHeight: 720, padY: 0 }, 'portrait: pillarbox');
  const wide = fitInRung(RUNGS[0], 2560, 720);
  t.equal(wide.contentWidth, 1280);
  t.equal(wide.contentHeight, 360, 'ultra-wide: letterbox');
});

t.test('property: random source shapes always give a valid plan', async (t) => {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 200; i++) {
    const w = 16 + Math.floor(rnd() * 3000);
    const h = 16 + Math.floor(rnd() * 3000);
    const fps: [number, number] = [1 + Math.floor(rnd() * 120000), 1000 + Math.floor(rnd() * 2)];
    const plan = planLadder(probe(w, h, fps));
    const bad = plan.rungs.filter(
      (r) =>
        r.contentWidth > r.width ||
        r.contentHeight > r.height ||
        (r.contentWidth !== r.width && r.contentHeight !== r.height) ||
        r.contentWidth % 2 ||
        r.contentHeight % 2,
    );
    if (bad.length || plan.frameRate[0] / plan.frameRate[1] > 30.001) {
      t.fail(`bad plan for ${w}x${h}@${fps.join('/')}: ${JSON.stringify(plan.rungs)}`);
      return;
    }
    // Rungs not above the picture it gets (a few percent slack) except the always-made lowest one.
    for (const r of plan.rungs.slice(0, -1)) {
      t.ok(fitInRung(r, w, h).scale <= 1.03, `${w}x${h}: ${r.name} does not enlarge`);
    }
  }
  t.equal(outputFrameRate(null)[0], 25, 'no rate: the card rate');
  t.same(outputFrameRate([0, 0]), [25, 1]);
});

t.test('probe interpretation', async (t) => {
  t.throws(() => interpretProbe({ streams: [], format: {} }, 10), MediaRejectedError, 'no stream: refused');
  t.throws(() => interpretProbe({ streams: [{ index: 0, codec_type: 'data', codec_name: 'bin_data' }] }, 10), /no audio or video stream/);
  const cover = interpretProbe(
    {
      streams: [
        { index: 0, codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100' },
        { index: 1, codec_type: 'video', codec_name: 'mjpeg', width: 500, height: 500, disposition: { attached_pic: 1 } },
      ],
      format: { format_name: 'mp3', duration: '12.5' },
    },
    100,
  );
  t.equal(cover.video, null, 'an MP3 cover picture is not video');
  t.equal(cover.duration, 12.5);
  const pal = interpretProbe(
    {
      streams: [
        {
          index: 0,
          codec_type: 'video',
          codec_name: 'mpeg2video',
          width: 720,
          height: 576,
          sample_aspect_ratio: '16:15',
          avg_frame_rate: '25/1',
          r_frame_rate: '25/1',
          field_order: 'tt',
        },
      ],
    },
    100,
  );
  t.match(pal.video, { displayWidth: 768, displayHeight: 576, interlaced: true, variableFrameRate: false });
  t.equal(pal.audio, null);
  const rotated = interpretProbe(
    {
      streams: [
        {
          index: 0,
          codec_type: 'video',
          codec_name: 'h264',
          width: 1280,
          height: 720,
          side_data_list: [{ rotation: -90 }],
          avg_frame_rate: '15/1',
          r_frame_rate: '30/1',
        },
      ],
    },
    100,
  );
  t.match(rotated.video, { displayWidth: 720, displayHeight: 1280, rotation: 270, variableFrameRate: true });
});

t.test('HLS text helpers', async (t) => {
  const pl =
    '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000000,\nseg_00000.ts\n#EXTINF:4.000000,\nseg_00001.ts\n#EXTINF:1.480000,\nseg_00002.ts\n#EXT-X-ENDLIST\n';
  t.same(parseSegmentDurations(pl), [4, 4, 1.48]);
  t.same(sameBoundaries({ a: [4, 4, 1.48], b: [4, 4, 1.48] }), { ok: true, durations: [4, 4, 1.48] });
  t.match(sameBoundaries({ a: [4, 4], b: [4, 4, 1] }), { ok: false, reason: /3 segments/ });
  t.match(sameBoundaries({ a: [4, 4], b: [4, 3.9] }), { ok: false, reason: /segment 1/ });
  t.match(sameBoundaries({ a: [] }), { ok: false, reason: /no segments/ });
  t.same(wrapTitle('第一讲：学习贯彻党的二十大精神，推进乡村全面振兴的实践路径与方法', 20).length, 3);
  t.same(wrapTitle('Short'), ['Short']);
});

t.test('media serving helpers and retry backoff', async (t) => {
  t.same(parseRange(undefined, 100), { kind: 'all' });
  t.same(parseRange('bytes=0-9', 100), { kind: 'partial', start: 0, end: 9 });
  t.same(parseRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
  t.same(parseRange('bytes=-10', 100), { kind: 'partial', start: 90, end: 99 });
  t.same(parseRange('bytes=-1000', 100), { kind: 'partial', start: 0, end: 99 });
  t.same(parseRange('bytes=50-1000', 100), { kind: 'partial', start: 50, end: 99 });
  t.same(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  t.same(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  t.same(parseRange('bytes=9-2', 100), { kind: 'all' }, 'invalid range ignored');
  t.same(parseRange('bytes=0-1,5-6', 100), { kind: 'all' }, 'several ranges: whole file');
  t.same(parseRange('items=0-1', 100), { kind: 'all' });
  t.same(splitVersionedFile('v2/240p/seg_00001.ts'), { version: 2, file: '240p/seg_00001.ts' });
  t.same(splitVersionedFile('v13/master.m3u8'), { version: 13, file: 'master.m3u8' });
  for (const unversioned of ['240p/seg_00001.ts', 'master.m3u8', 'v0/master.m3u8', 'v01/master.m3u8', 'v/master.m3u8', '/v1/x', 'v1'])
    t.equal(splitVersionedFile(unversioned), undefined, `${unversioned}: not a versioned path`);
  t.same(
    [1, 2, 3].map((n) => retryDelayMs(n, 10_000)),
    [10_000, 40_000, 160_000],
  );
});

t.test('the probe recorded at upload is reused only for the same file', async (t) => {
  const p = probe(640, 360);
  t.same(storedProbe(JSON.stringify(p), p.size), p, 'same size: reused');
  t.equal(storedProbe(JSON.stringify(p), p.size + 1), undefined, 'another size: probe again');
  t.equal(storedProbe(null, 1), undefined);
  t.equal(storedProbe('not json', 1), undefined);
  t.equal(storedProbe('null', 1), undefined);
  t.equal(storedProbe(JSON.stringify({ size: 1, container: 'x' }), 1), undefined, 'an older, partial summary: probe again');
  t.equal(storedProbe(JSON.stringify({ ...p, video: { index: 0 } }), p.size), undefined, 'incomplete video: probe again');
});
