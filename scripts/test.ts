// `npm test` (and test:unit|integration|e2e): runs tap with the given files, then prints the coverage summary of the
// product's code. Exits with tap's status; the summary reports, it does not gate.
//
// Why the summary is not tap's own: tsx puts the TypeScript text into its source maps only when NODE_V8_COVERAGE is
// set, and tap records coverage through the inspector instead, so the maps it saves say `sourcesContent: [null]`.
// v8-to-istanbul takes that null for the file's text, and every file came out as one statement at 100 %, with no
// functions or branches. Removing the empty entries before the report makes it read each source from disk.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Report } from 'c8';

const COVERAGE_DIR = path.resolve('.tap/coverage');
/** The product's code; tests, fixtures and the tooling around them are not what the figure is about. */
const PRODUCT = ['server/**', 'player/**', 'common/**', 'content/**', 'scripts/**'];
const NOT_PRODUCT = ['scripts/bench/**', 'scripts/sim/**', 'scripts/test.ts', '**/node_modules/**'];

interface SavedCoverage {
  'source-map-cache'?: Record<string, { data?: { sourcesContent?: (string | null)[] } }>;
}

/** Drops `sourcesContent` lists that hold no text, in every coverage file tap wrote. */
function restoreSourceText(dir: string): void {
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    const coverage = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedCoverage;
    let emptied = false;
    for (const map of Object.values(coverage['source-map-cache'] ?? {})) {
      if (map.data?.sourcesContent?.every((text) => text == null)) {
        delete map.data.sourcesContent;
        emptied = true;
      }
    }
    if (!emptied) continue;
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(coverage));
    fs.renameSync(`${file}.tmp`, file); // whole or not at all, should the run be interrupted here
  }
}

const tap = spawnSync(path.resolve('node_modules/.bin/tap'), process.argv.slice(2), { stdio: 'inherit' });
const status = tap.status ?? 1;

if (fs.existsSync(COVERAGE_DIR) && fs.readdirSync(COVERAGE_DIR).length > 0) {
  restoreSourceText(COVERAGE_DIR);
  await new Report({
    reporter: ['text-summary'],
    tempDirectory: COVERAGE_DIR,
    reportsDirectory: path.resolve('.tap/report'),
    include: PRODUCT,
    exclude: NOT_PRODUCT,
    excludeNodeModules: true,
  }).run();
}
process.exit(status);
