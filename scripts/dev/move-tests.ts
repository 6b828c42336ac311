// One-off move of test files into the by-domain layout (issue 10): `git mv` each file, then rewrite every
// relative import in the moved files and in the files that import them. Kept in the tree as the record of the
// move map, and so a branch that still adds tests at the old paths can be moved the same way.
// Run: node --import tsx scripts/dev/move-tests.ts [--dry-run]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const MOVES: Record<string, string> = {
  'test/helpers.ts': 'testkit/helpers.ts',
  'test/fixtures/media.ts': 'testkit/media.ts',
  'test/fixtures/programs.ts': 'testkit/programs.ts',
  'test/e2e/kiosk-site.ts': 'testkit/kiosk-site.ts',

  'test/unit/agent-plan.test.ts': 'test/unit/agent/plan.test.ts',
  'test/unit/agent-store.test.ts': 'test/unit/agent/store.test.ts',
  'test/unit/site-attendance-backoff.test.ts': 'test/unit/agent/attendance-backoff.test.ts',
  'test/unit/site-attendance-queue.test.ts': 'test/unit/agent/attendance-queue.test.ts',
  'test/unit/site-attendance-input.test.ts': 'test/unit/kiosk/attendance-input.test.ts',
  'test/unit/site-attendance-tracker.test.ts': 'test/unit/kiosk/attendance-tracker.test.ts',
  'test/unit/kiosk-focus.test.ts': 'test/unit/kiosk/focus.test.ts',
  'test/unit/kiosk-i18n.test.ts': 'test/unit/kiosk/i18n.test.ts',
  'test/unit/kiosk-keys.test.ts': 'test/unit/kiosk/keys.test.ts',
  'test/unit/kiosk-recovery.test.ts': 'test/unit/kiosk/recovery.test.ts',
  'test/unit/kiosk-resume.test.ts': 'test/unit/kiosk/resume.test.ts',
  'test/unit/kiosk-search.test.ts': 'test/unit/kiosk/search.test.ts',
  'test/unit/attendance-pure.test.ts': 'test/unit/attendance/pure.test.ts',
  'test/unit/catalog-demo-recipe.test.ts': 'test/unit/catalog/demo-recipe.test.ts',
  'test/unit/catalog-metadata.test.ts': 'test/unit/catalog/metadata.test.ts',
  'test/unit/catalog-search.test.ts': 'test/unit/catalog/search.test.ts',
  'test/unit/ladder.test.ts': 'test/unit/media/ladder.test.ts',
  'test/unit/sites-manifest-cache.test.ts': 'test/unit/sites/manifest-cache.test.ts',
  'test/unit/sites-pure.test.ts': 'test/unit/sites/pure.test.ts',
  'test/unit/timeline.test.ts': 'test/unit/common/timeline.test.ts',

  'test/integration/agent-fixture.ts': 'test/integration/agent/agent-fixture.ts',
  'test/integration/agent-attendance-site.ts': 'test/integration/agent/attendance-site.ts',
  'test/integration/agent-attendance-crash.test.ts': 'test/integration/agent/attendance-crash.test.ts',
  'test/integration/agent-attendance-delivery.test.ts': 'test/integration/agent/attendance-delivery.test.ts',
  'test/integration/agent-cache.test.ts': 'test/integration/agent/cache.test.ts',
  'test/integration/agent-live.test.ts': 'test/integration/agent/live.test.ts',
  'test/integration/agent-pairing.test.ts': 'test/integration/agent/pairing.test.ts',
  'test/integration/attendance-fixtures.ts': 'test/integration/attendance/fixtures.ts',
  'test/integration/attendance-faults.test.ts': 'test/integration/attendance/faults.test.ts',
  'test/integration/attendance-ingest.test.ts': 'test/integration/attendance/ingest.test.ts',
  'test/integration/attendance-reports.test.ts': 'test/integration/attendance/reports.test.ts',
  'test/integration/attendance-rollup.test.ts': 'test/integration/attendance/rollup.test.ts',
  'test/integration/auth.test.ts': 'test/integration/auth/auth.test.ts',
  'test/integration/broadcast-api.test.ts': 'test/integration/broadcast/api.test.ts',
  'test/integration/demo-channel.test.ts': 'test/integration/broadcast/demo-channel.test.ts',
  'test/integration/catalog-auth.test.ts': 'test/integration/catalog/auth.test.ts',
  'test/integration/catalog-delete.test.ts': 'test/integration/catalog/delete.test.ts',
  'test/integration/catalog-import.test.ts': 'test/integration/catalog/import.test.ts',
  'test/integration/catalog-search.test.ts': 'test/integration/catalog/search.test.ts',
  'test/integration/catalog-upload.test.ts': 'test/integration/catalog/upload.test.ts',
  'test/integration/media-jobs.test.ts': 'test/integration/media/jobs.test.ts',
  'test/integration/media-ladder.test.ts': 'test/integration/media/ladder.test.ts',
  'test/integration/media-retranscode.test.ts': 'test/integration/media/retranscode.test.ts',
  'test/integration/media-serve.test.ts': 'test/integration/media/serve.test.ts',
  'test/integration/sites-import.test.ts': 'test/integration/sites/import.test.ts',
  'test/integration/sites-manifest-media.test.ts': 'test/integration/sites/manifest-media.test.ts',
  'test/integration/sites-manifest.test.ts': 'test/integration/sites/manifest.test.ts',
  'test/integration/sites-pairing.test.ts': 'test/integration/sites/pairing.test.ts',
  'test/integration/sites-regions.test.ts': 'test/integration/sites/regions.test.ts',
  'test/integration/sites-requests.test.ts': 'test/integration/sites/requests.test.ts',
};

const SPECIFIER = /((?:from|import)\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

function rel(fromFile: string, toFile: string): string {
  const r = path.relative(path.dirname(fromFile), toFile);
  return r.startsWith('.') ? r : `./${r}`;
}

/** Rewrites the relative specifiers of one file that was at `oldPath` and is now at `newPath`. */
export function rewrite(source: string, oldPath: string, newPath: string): string {
  return source.replace(SPECIFIER, (whole, lead: string, spec: string) => {
    const target = path.normalize(path.join(path.dirname(oldPath), spec));
    if (!fs.existsSync(target) && !(target in MOVES)) return whole; // a string that only looks like an import
    return `${lead}'${rel(newPath, MOVES[target] ?? target)}'`;
  });
}

function trackedTs(): string[] {
  return execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function main(): void {
  const dry = process.argv.includes('--dry-run');
  const files = trackedTs();
  const edits = new Map<string, string>();
  for (const file of files) {
    const newPath = MOVES[file] ?? file;
    const before = fs.readFileSync(file, 'utf8');
    const after = rewrite(before, file, newPath);
    if (after !== before || newPath !== file) edits.set(file, after);
  }
  for (const [file, text] of edits) {
    const newPath = MOVES[file] ?? file;
    console.log(newPath === file ? `edit ${file}` : `move ${file} -> ${newPath}`);
    if (dry) continue;
    if (newPath !== file) {
      fs.mkdirSync(path.dirname(newPath), { recursive: true });
      execFileSync('git', ['mv', file, newPath]);
    }
    fs.writeFileSync(newPath, text);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
