// Issue 12: two-pass loudness normalisation. A quietly and a loudly recorded lecture, uploaded and transcoded by the
// real job path, both come out within 1 LU of the house target (a tolerance on a loudness value, not a timing).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { settle, submit } from '../../../testkit/programs.ts';
import { versionDir } from '../../../server/media/store.ts';
import { locateTools } from '../../../server/media/tools.ts';
import { integratedLoudness, LOUDNESS_TARGET, loudnormFilter, parseLoudnormJson } from '../../../server/media/loudness.ts';

/** 10 s of 426x240 picture with speech-like sound (pink noise pulsed like syllables) at `gainDb`, limited below full scale. */
function lecture(dir: string, name: string, gainDb: number): string {
  const out = path.join(dir, `${name}.mp4`);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=426x240:rate=25',
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=color=pink:amplitude=0.5:sample_rate=48000',
    '-filter_complex',
    `[1:a]volume='0.2+0.8*gt(sin(2*PI*3*t),0)':eval=frame,volume=${gainDb}dB,alimiter=limit=0.9:level=false[a]`,
    '-map',
    '0:v',
    '-map',
    '[a]',
    '-t',
    '10',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    out,
  ]);
  return out;
}

t.test('loudnorm JSON parsing and the second-pass filter', async (t) => {
  const stderr =
    '[Parsed_loudnorm_0 @ 0x1]\n{\n\t"input_i" : "-27.61",\n\t"input_tp" : "-4.47",\n\t"input_lra" : "18.06",\n' +
    '\t"input_thresh" : "-39.20",\n\t"output_i" : "-16.58",\n\t"target_offset" : "0.58"\n}\n';
  const m = parseLoudnormJson(stderr);
  t.same(m, { inputI: -27.61, inputTP: -4.47, inputLRA: 18.06, inputThresh: -39.2, targetOffset: 0.58 });
  t.match(loudnormFilter(m), /measured_I=-27\.61:measured_TP=-4\.47:measured_LRA=18\.06:measured_thresh=-39\.2:offset=0\.58:linear=true$/);
  t.equal(parseLoudnormJson(stderr.replace('"-27.61"', '"-inf"')), null, 'silence measures -inf: one pass then');
  t.equal(parseLoudnormJson('no json here'), null);
  t.notMatch(loudnormFilter(null), /measured/);
});

t.test('a quiet and a loud lecture end within 1 LU of the target', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const dir = tempDir('dyb-loud-');
  const tools = locateTools(s.config);
  for (const [name, gain] of [
    ['quiet', -24],
    ['loud', 18],
  ] as const) {
    const src = lecture(dir, name, gain);
    const before = await integratedLoudness(tools, src);
    const up = await submit(s.app, s.auth, src, name);
    t.ok('id' in up, `${name} uploaded`);
    if (!('id' in up)) continue;
    t.equal((await settle(s.app, up.id)).status, 'ready');
    const after = await integratedLoudness(tools, path.join(versionDir(s.config, up.id, 1), '240p', 'index.m3u8'));
    t.ok(before !== null && after !== null, `${name}: measured ${before} -> ${after} LUFS`);
    t.ok(Math.abs(before! - LOUDNESS_TARGET.I) > 3, `${name}: the source is well off the target (${before} LUFS)`);
    t.ok(Math.abs(after! - LOUDNESS_TARGET.I) <= 1, `${name}: ${after} LUFS is within 1 LU of ${LOUDNESS_TARGET.I}`);
  }
});
