// Fuzz over the whole API: for every operation in the OpenAPI document, requests generated from its schemas and
// hostile variants (wrong types, 1e300 and 20-digit numbers, NUL, invalid UTF-8 as raw bytes, deep nesting, long
// strings, empty bodies, wrong content types, duplicated query keys) from every role, against a server seeded with
// realistic fixtures. Each request: no 5xx; every 4xx is {error:{code,message}}; an error answer writes nothing
// (database rows, files under the data dir); no answer stores a number beyond 2^53 or not finite (1e300 bytes).
// Fixed seed here (FUZZ_SEED, FUZZ_RUNS to change it); the longer run is scripts/fuzz-api.ts.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fuzzOperation, NOT_IN_OPENAPI, openApiOperations, PARTLY_FUZZED, routeTable, Sandbox, seededServer } from './route-inventory.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
/** Random requests per operation (the systematic ones come on top): about a minute in all on the 2-core test machine. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

const seeded = await seededServer();
t.teardown(() => seeded.close());
const ops = openApiOperations(seeded.app);

t.test('every route the app serves is fuzzed, or listed as not fuzzed with a reason', async (t) => {
  const documented = new Set(ops.map((o) => o.key));
  const unreached = [...routeTable(seeded.app)].filter((k) => !documented.has(k) && !(k in NOT_IN_OPENAPI));
  t.same(unreached, [], `routes missing from the OpenAPI document, so not fuzzed: ${unreached.join(', ')}`);
  for (const [route, why] of Object.entries({ ...NOT_IN_OPENAPI, ...PARTLY_FUZZED })) t.comment(`not fully fuzzed: ${route}: ${why}`);
});

const sandbox = new Sandbox(seeded);

t.test('the sandbox sees what a request writes, and undoes it', async (t) => {
  const name = () => seeded.app.db.prepare<[], { name: string }>('SELECT name FROM sites ORDER BY id LIMIT 1').get()?.name;
  const before = name();
  const stray = path.join(seeded.config.dataDir, 'stray-file');
  const wrote = await sandbox.run(async () => {
    seeded.app.db.prepare("UPDATE sites SET name = name || ' (changed)'").run();
    fs.writeFileSync(stray, 'x');
    return { statusCode: 400 };
  });
  fs.rmSync(stray);
  t.ok(wrote.dbChanged, 'a changed row is seen');
  t.match(wrote.filesChanged, /\+stray-file/, 'a new file is seen');
  t.equal(name(), before, 'the change is rolled back');
  const read = await sandbox.run(() => seeded.app.inject({ method: 'GET', url: '/api/sites', headers: seeded.headers.operator }));
  t.equal(read.res.statusCode, 200);
  t.notOk(read.dbChanged, 'a read changes nothing');
  t.equal(read.filesChanged, null, 'a read writes no file');
});
let total = 0;
for (const op of ops) {
  t.test(op.key, async (t) => {
    const { cases, findings } = await fuzzOperation(sandbox, seeded, op, { seed: SEED, numRuns: RUNS });
    total += cases;
    t.ok(cases >= RUNS, `${cases} requests made`);
    for (const f of findings) t.fail(`${f.route}: ${f.problem} (status ${f.status}, ${f.count}x); e.g. ${f.example}`);
  });
}
t.teardown(() => t.comment(`fuzz: ${total} requests, seed ${SEED}, ${RUNS} per operation`));
