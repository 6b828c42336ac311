// The static checks of the test command: the TypeScript compiler over the whole project, vue-tsc over the web
// console, Biome's lint rules (including the player/ -> server/ boundary) and its formatter, and knip for files,
// exports and dependencies nothing uses and for imports of packages package.json does not list (entry points in
// knip.json). knip.json's ignoreDependencies are packages loaded by name, which knip cannot follow: the ffmpeg
// installers (server/media/tools.ts, a fallback when ffmpeg is not on PATH), pino-pretty (a pino transport,
// common/pretty-logs.ts), and autocannon and m3u8-parser (createRequire in benchmarks and tests). Run as tests so that they count in the
// summary like any other failure and run beside the other test files instead of before all of them.
import t from 'tap';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const bin = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/** Runs a tool with node, in the project root; resolves with its exit code and everything it printed. */
function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Without tap's NODE_V8_COVERAGE: the compilers' own coverage is not ours to measure, and writing and merging it
    // costs the run time.
    const { NODE_V8_COVERAGE: _coverage, ...env } = process.env;
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b));
    child.stderr.on('data', (b: Buffer) => (output += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const CHECKS: Array<[string, string[]]> = [
  ['tsc: the project type-checks', [bin('typescript', 'bin/tsc'), '-p', '.']],
  ['vue-tsc: the console type-checks', [bin('vue-tsc', 'bin/vue-tsc.js'), '--noEmit', '-p', 'server/console/tsconfig.json']],
  ['biome: no lint errors', [bin('@biomejs/biome', 'bin/biome'), 'lint', '.']],
  ['biome: the tree is formatted (npm run format)', [bin('@biomejs/biome', 'bin/biome'), 'format', '.']],
  [
    'knip: no unused files, exports or dependencies, no unlisted ones',
    [
      path.join(root, 'node_modules', 'knip', 'bin', 'knip.js'),
      '--include',
      'files,exports,types,dependencies,devDependencies,unlisted',
      '--no-progress',
    ],
  ],
];

// All at once: this file comes late in the run (tests sort by path), when the other jobs are on short unit tests.
const running = CHECKS.map(([, args]) => run(args));
for (const [i, [name]] of CHECKS.entries()) {
  t.test(name, { timeout: 900_000 }, async (t) => {
    const r = await running[i]!;
    t.equal(r.code, 0, r.code === 0 ? name : `${name}\n${r.output.slice(-20_000)}`);
  });
}
