// The longer API fuzz run: the same engine as test/integration/api/fuzz.test.ts, with the seed and the number of
// random requests per operation from the command line. Prints every distinct problem with its shortest request.
//   node --import tsx scripts/fuzz-api.ts [--seed N] [--runs N] [--only <substring of "METHOD /path">]
// Exits 1 when a problem was found.
import { parseArgs } from 'node:util';
import {
  fuzzOperation,
  NOT_IN_OPENAPI,
  openApiOperations,
  PARTLY_FUZZED,
  Sandbox,
  seededServer,
  type FuzzFinding,
} from '../test/integration/api/route-inventory.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    runs: { type: 'string', default: '500' },
    only: { type: 'string' },
  },
});
const seed = Number(values.seed);
const runs = Number(values.runs);
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: scripts/fuzz-api.ts [--seed N] [--runs N>=1] [--only "GET /api/sites"]\n');
  process.exit(2);
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
const seeded = await seededServer();
out(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s; seed ${seed}, ${runs} random requests per operation`);
for (const [route, why] of Object.entries({ ...NOT_IN_OPENAPI, ...PARTLY_FUZZED })) out(`not fully fuzzed: ${route}: ${why}`);

const sandbox = new Sandbox(seeded);
const findings: FuzzFinding[] = [];
let cases = 0;
const fuzzStart = Date.now();
try {
  for (const op of openApiOperations(seeded.app)) {
    if (values.only && !op.key.includes(values.only)) continue;
    const r = await fuzzOperation(sandbox, seeded, op, { seed, numRuns: runs });
    cases += r.cases;
    findings.push(...r.findings);
    out(`${op.key}: ${r.cases} requests, ${r.findings.length} problem(s)`);
  }
} finally {
  await seeded.close();
}
const seconds = (Date.now() - fuzzStart) / 1000;
const rate = (cases / seconds).toFixed(0);
out(`\n${cases} requests in ${seconds.toFixed(1)} s (${rate}/s), seed ${seed}; ${findings.length} distinct problem(s)`);
for (const f of findings) out(`- ${f.route}: ${f.problem} [status ${f.status}, ${f.count}x]\n    e.g. ${f.example}`);
process.exitCode = findings.length ? 1 : 0;
