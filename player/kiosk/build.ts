// Builds the kiosk page the site agent serves at `/`: index.html, kiosk.js (our TS + hls.js, one esbuild
// bundle, no CDN because sites are offline) and kiosk.css. Run by `npm run build` (into dist/kiosk, see
// common/built-assets.ts) and before the tests; the agent only serves the result. A failure fails the build.
// Each file is written to a temp name and renamed into place, so an agent serving outDir never hands the TV half a file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { builtAssetsDir } from '../../common/built-assets.ts';

const kioskDir = path.dirname(fileURLToPath(import.meta.url));

function writeAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

export async function buildKiosk(outDir: string): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(kioskDir, 'src', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    // Old kiosk PCs run whatever Chromium the distribution ships; ES2019 keeps the bundle loadable there.
    target: ['chrome79'],
    // The light build of hls.js leaves out EME, subtitles and alternate audio, which a site never uses.
    alias: { 'hls.js': 'hls.js/light' },
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('esbuild produced no kiosk bundle');
  writeAtomic(path.join(outDir, 'kiosk.js'), js.contents);
  writeAtomic(path.join(outDir, 'kiosk.css'), fs.readFileSync(path.join(kioskDir, 'kiosk.css')));
  writeAtomic(path.join(outDir, 'index.html'), fs.readFileSync(path.join(kioskDir, 'index.html')));
}

// `node --import tsx player/kiosk/build.ts [OUT_DIR]` (`npm run build:kiosk`) builds the page alone, into dist/kiosk.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? builtAssetsDir('kiosk');
  buildKiosk(out).then(
    () => process.stdout.write(`kiosk built into ${out}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
