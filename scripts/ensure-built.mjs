// Run before `npm start`, `npm run server|agent|import|restore`: builds dist/ when it is missing or older than the
// sources, so `npm install && npm start` still does all the set-up, while production runs only compiled JavaScript.
// Plain JavaScript on purpose: it must run where tsx (a dev dependency) is absent.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'dist', '.built');
// What the build reads (tsconfig.build.json, scripts/build.ts). Tests, benchmarks and dev scripts are not part of it.
const SCRIPTS = ['start.ts', 'demo.ts', 'import.ts', 'restore.ts', 'build.ts'].map((f) => path.join('scripts', f));
const SOURCES = ['server', 'player', 'common', 'content', ...SCRIPTS, 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIP = new Set(['node_modules', 'dist']);

function newestMtime(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) if (!SKIP.has(e)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

const built = fs.statSync(stampFile, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
if (built >= sources) process.exit(0);

const canBuild = fs.existsSync(path.join(root, 'node_modules', 'typescript')) && fs.existsSync(path.join(root, 'node_modules', 'tsx'));
if (!canBuild) {
  if (built) {
    process.stderr.write('dist/ is older than the sources but the build tools are not installed (npm ci --omit=dev); running it as is\n');
    process.exit(0);
  }
  process.stderr.write('dist/ is missing and the build tools are not installed: run npm ci && npm run build\n');
  process.exit(1);
}
process.stdout.write(built ? 'sources changed since the last build: building dist/ first\n' : 'no build yet: building dist/ first\n');
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
