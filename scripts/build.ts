// `npm run build`: everything production runs, made once. The TypeScript of server, agent, common, content and the
// operator scripts compiled to JavaScript in dist/ (tsconfig.build.json; same layout as the source), the SQL
// migrations beside their loader, the kiosk bundled into dist/kiosk and the web console into dist/console (see
// common/built-assets.ts). Any step failing fails the build, so a broken kiosk never reaches a site.
// dist/.built marks a finished build; scripts/ensure-built.mjs compares it with the sources.
// `--out-dir DIR` builds elsewhere (the site-package test does, so it never empties the dist/ other tests use).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildKiosk } from '../player/kiosk/build.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const dist = path.resolve(values['out-dir'] ?? path.join(root, 'dist'));
const require = createRequire(import.meta.url);
const CONSOLE_CONFIG = path.join(root, 'server', 'console', 'vite.config.ts');

function run(step: string, bin: string, args: string[]): void {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${step} failed (exit ${r.status ?? r.signal})`);
}

function step(name: string, started: number): void {
  process.stdout.write(`build: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** Builds everything into `out` (a fresh directory). */
async function buildInto(out: string, t0: number): Promise<void> {
  run('tsc', require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', out]);
  fs.cpSync(path.join(root, 'server', 'db', 'migrations'), path.join(out, 'server', 'db', 'migrations'), { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  // Compiled modules are ES modules, and the agent reads its version from here (player/agent/agent.ts).
  const stamp = { name: pkg.name, version: pkg.version, private: true, type: 'module' };
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  step('server, agent, common, content and scripts compiled', t0);

  await buildKiosk(path.join(out, 'kiosk'));
  step('kiosk bundled into kiosk/', t0);

  if (fs.existsSync(CONSOLE_CONFIG)) {
    // Vite's JS API (its package exports no bin path to spawn); the config file is the same one tests build with.
    const { build } = await import('vite');
    await build({ configFile: CONSOLE_CONFIG, logLevel: 'warn', build: { outDir: path.join(out, 'console'), emptyOutDir: true } });
    step('console built into console/', t0);
  }
  fs.writeFileSync(path.join(out, '.built'), `${new Date().toISOString()} ${pkg.version}\n`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  if (root.startsWith(dist)) throw new Error(`--out-dir ${dist} would hold the sources; give a directory of its own`);
  // Built beside dist/ and swapped in whole: no output of a deleted source survives, a failed build leaves the last
  // good one, and an agent or test serving dist/kiosk meanwhile never finds it missing.
  const fresh = `${dist}.building-${process.pid}`;
  const old = `${dist}.old-${process.pid}`;
  fs.rmSync(fresh, { recursive: true, force: true });
  try {
    await buildInto(fresh, t0);
  } catch (err) {
    fs.rmSync(fresh, { recursive: true, force: true });
    throw err;
  }
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(fresh, dist);
  fs.rmSync(old, { recursive: true, force: true });
  process.stdout.write(`build: done, in ${path.relative(process.cwd(), dist) || dist}/\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
