// `npm run build`: everything production runs, made once. The TypeScript of server, agent, common, content and the
// operator scripts compiled to JavaScript in dist/ (tsconfig.build.json; same layout as the source), the SQL
// migrations beside their loader, the kiosk bundled into dist/kiosk and the web console into dist/console (see
// common/built-assets.ts). Any step failing fails the build, so a broken kiosk never reaches a site.
// dist/.built marks a finished build; scripts/ensure-built.mjs compares it with the sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtAssetsDir } from '../common/built-assets.ts';
import { buildKiosk } from '../player/kiosk/build.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);
const CONSOLE_CONFIG = path.join(root, 'server', 'console', 'vite.config.ts');

function run(step: string, bin: string, args: string[]): void {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${step} failed (exit ${r.status ?? r.signal})`);
}

function step(name: string, started: number): void {
  process.stdout.write(`build: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  fs.rmSync(dist, { recursive: true, force: true }); // no output of a deleted source survives
  run('tsc', require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json']);
  fs.cpSync(path.join(root, 'server', 'db', 'migrations'), path.join(dist, 'server', 'db', 'migrations'), { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  // Compiled modules are ES modules, and the agent reads its version from here (player/agent/agent.ts).
  const stamp = { name: pkg.name, version: pkg.version, private: true, type: 'module' };
  fs.writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  step('server, agent, common, content and scripts compiled into dist/', t0);

  await buildKiosk(builtAssetsDir('kiosk'));
  step('kiosk bundled into dist/kiosk', t0);

  if (fs.existsSync(CONSOLE_CONFIG)) {
    const vite = require.resolve('vite/bin/vite.js');
    run('console build', vite, ['build', '--config', CONSOLE_CONFIG, '--outDir', builtAssetsDir('console'), '--emptyOutDir']);
    step('console built into dist/console', t0);
  }
  fs.writeFileSync(path.join(dist, '.built'), `${new Date().toISOString()} ${pkg.version}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
