// Benchmark: integrated loudness across the demo library's narrations (content/demo-recipe.ts, spoken by espeak-ng, a
// tone where it is missing) plus one deliberately quiet and one loud recording, transcoded by the product's ladder
// code twice: one-pass loudnorm (the reference, as before) and two-pass (measure, then apply linearly). Prints each
// output's integrated loudness (ffmpeg ebur128), the spread (max - min) and the largest deviation from the target.
// Aim: two-pass within 1 LU of the target for every source.
//
//   npx tsx scripts/bench/loudness.ts               # 20 s per lecture
//   npx tsx scripts/bench/loudness.ts --seconds 8   # quicker
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { DEMO_LECTURES } from '../../content/demo-recipe.ts';
import { loadConfig } from '../../server/config.ts';
import { locateTools } from '../../server/media/tools.ts';
import { probeSource } from '../../server/media/probe.ts';
import { transcodeToLadder } from '../../server/media/transcode.ts';
import { integratedLoudness, LOUDNESS_TARGET } from '../../server/media/loudness.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 20;

interface Source {
  name: string;
  voice: 'cmn' | 'en';
  text: string;
  gainDb: number;
}

const sources: Source[] = DEMO_LECTURES.map((l) => ({ name: l.key, voice: l.narration.voice, text: l.narration.text, gainDb: 0 }));
const first = DEMO_LECTURES[0];
sources.push({ name: 'quiet-recording', voice: first.narration.voice, text: first.narration.text, gainDb: -22 });
sources.push({ name: 'loud-recording', voice: first.narration.voice, text: first.narration.text, gainDb: 9 });

/** A small picture with the narration looped to the length at the given gain (the picture is not what is measured). */
function render(dir: string, s: Source, espeak: boolean): string {
  const out = path.join(dir, `${s.name}.mp4`);
  const audio = espeak
    ? ['-stream_loop', '-1', '-i', path.join(dir, `${s.name}.wav`)]
    : ['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000'];
  if (espeak) execFileSync('espeak-ng', ['-v', s.voice, '-s', '150', '-w', path.join(dir, `${s.name}.wav`), s.text]);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=426x240:rate=25',
    ...audio,
    '-filter_complex',
    `[1:a]aresample=48000,apad,volume=${s.gainDb}dB[a]`,
    '-map',
    '0:v',
    '-map',
    '[a]',
    '-t',
    String(SECONDS),
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

function summary(values: number[]) {
  const spread = Math.max(...values) - Math.min(...values);
  const maxDev = Math.max(...values.map((v) => Math.abs(v - LOUDNESS_TARGET.I)));
  return { spread, maxDev };
}

async function main() {
  const tools = locateTools(loadConfig());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-bench-loud-'));
  const espeak = spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status === 0;
  const rows: Array<{ name: string; source: number; onePass: number; twoPass: number }> = [];
  try {
    for (const s of sources) {
      const file = render(dir, s, espeak);
      const probe = await probeSource(tools, file);
      const measured: Record<string, number> = {};
      for (const mode of ['one-pass', 'two-pass'] as const) {
        const outDir = path.join(dir, `${s.name}-${mode}`);
        await transcodeToLadder({ tools, input: file, probe, outDir, plan: { maxRung: '240p' }, loudness: mode });
        measured[mode] = (await integratedLoudness(tools, path.join(outDir, '240p', 'index.m3u8'))) ?? NaN;
      }
      const row = {
        name: s.name,
        source: (await integratedLoudness(tools, file)) ?? NaN,
        onePass: measured['one-pass'],
        twoPass: measured['two-pass'],
      };
      rows.push(row);
      console.log(
        `${row.name.padEnd(24)} source ${row.source.toFixed(1).padStart(6)} LUFS   one-pass ${row.onePass.toFixed(1).padStart(6)}   two-pass ${row.twoPass.toFixed(1).padStart(6)}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const one = summary(rows.map((r) => r.onePass));
  const two = summary(rows.map((r) => r.twoPass));
  const src = summary(rows.map((r) => r.source));
  console.log(`\ntarget ${LOUDNESS_TARGET.I} LUFS, ${rows.length} sources of ${SECONDS} s, narration: ${espeak ? 'espeak-ng' : 'tone'}`);
  console.log(`sources:  spread ${src.spread.toFixed(2)} LU, max deviation ${src.maxDev.toFixed(2)} LU`);
  console.log(`one-pass: spread ${one.spread.toFixed(2)} LU, max deviation ${one.maxDev.toFixed(2)} LU`);
  console.log(
    `two-pass: spread ${two.spread.toFixed(2)} LU, max deviation ${two.maxDev.toFixed(2)} LU ` +
      `(${two.maxDev <= 1 ? 'within' : 'NOT within'} 1 LU; spread ratio two/one ${(two.spread / one.spread).toFixed(2)})`,
  );
}

await main();
