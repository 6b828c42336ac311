// The lint rule that keeps the site side free of server code: the project's own biome.jsonc, run by the real
// Biome on a scratch tree, flags player/ importing server/ and lets common/ (and player/ importing common/) pass.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../../testkit/helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const biome = path.join(path.dirname(createRequire(import.meta.url).resolve('@biomejs/biome/package.json')), 'bin', 'biome');

function lint(files: Record<string, string>): { status: number | null; errors: string[] } {
  const dir = tempDir('dyb-lint-');
  try {
    fs.copyFileSync(path.join(root, 'biome.jsonc'), path.join(dir, 'biome.jsonc'));
    spawnSync('git', ['init', '-q'], { cwd: dir }); // the config reads .gitignore through git
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const r = spawnSync(process.execPath, [biome, 'lint', '--reporter=github', '.'], { cwd: dir, encoding: 'utf8' });
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    return { status: r.status, errors };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ladder = { 'server/media/ladder.ts': 'export const RUNGS = [240, 360];\n', 'common/ladder.ts': 'export const RUNGS = [240, 360];\n' };

t.test('player/ importing server/ fails the lint, naming the rule and the file', async (t) => {
  const r = lint({
    ...ladder,
    'player/agent/live.ts': "import { RUNGS } from '../../server/media/ladder.ts';\nexport const rungs = RUNGS;\n",
  });
  t.not(r.status, 0, 'lint exits non-zero');
  t.equal(r.errors.length, 1, 'one error');
  t.match(r.errors[0], /noRestrictedImports.*player\/agent\/live\.ts.*must not import server\//);
});

t.test('the kiosk is held to the same rule', async (t) => {
  const r = lint({ ...ladder, 'player/kiosk/src/x.ts': "export { RUNGS } from '../../../server/media/ladder.ts';\n" });
  t.not(r.status, 0);
  t.match(r.errors.join('\n'), /player\/kiosk\/src\/x\.ts/);
});

t.test('player/ importing common/, and server/ importing anything, pass', async (t) => {
  const r = lint({
    ...ladder,
    'player/agent/live.ts': "import { RUNGS } from '../../common/ladder.ts';\nexport const rungs = RUNGS;\n",
    'server/broadcast/x.ts': "import { RUNGS } from '../media/ladder.ts';\nexport const rungs = RUNGS;\n",
  });
  t.equal(r.status, 0, r.errors.join('\n'));
});
