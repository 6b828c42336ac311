// The connection keeps prepared statements by SQL text (server/db/connection.ts): the same statement comes back for
// the same SQL, results stay right when parameters change, and the oldest are dropped past the limit. The code it
// serves must not set statement modes or iterate, which a kept statement would carry to its next caller.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, STATEMENT_CACHE_SIZE } from '../../../server/db/connection.ts';
import { tempDir } from '../../../testkit/helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

t.test('one statement per SQL text, least recently used dropped first', async (t) => {
  const dir = tempDir('dyb-statements-');
  const db = openDb(path.join(dir, 'db.sqlite'));
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  db.exec('CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO kv VALUES (?, ?)');
  t.equal(db.prepare('INSERT INTO kv VALUES (?, ?)'), insert, 'the same SQL: the same statement');
  for (let k = 1; k <= 3; k++) db.prepare('INSERT INTO kv VALUES (?, ?)').run(k, `v${k}`);
  const get = (k: number) => (db.prepare('SELECT v FROM kv WHERE k = ?').get(k) as { v: string } | undefined)?.v;
  t.same([get(1), get(3), get(9)], ['v1', 'v3', undefined], 'a kept statement answers each call with its own parameters');

  const first = db.prepare('SELECT 1');
  for (let i = 0; i < STATEMENT_CACHE_SIZE; i++) db.prepare(`SELECT ${i + 2}`);
  t.not(db.prepare('SELECT 1'), first, 'dropped after the limit of other texts');
  const recent = db.prepare(`SELECT ${STATEMENT_CACHE_SIZE + 1}`);
  t.equal(db.prepare(`SELECT ${STATEMENT_CACHE_SIZE + 1}`), recent, 'a recently used one is kept');
});

t.test('no server code sets a statement mode or iterates one', async (t) => {
  const files = fs.readdirSync(path.join(root, 'server'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const offenders = files.filter((f) =>
    /\.(pluck|raw|expand|iterate|safeIntegers)\(/.test(fs.readFileSync(path.join(root, 'server', f), 'utf8')),
  );
  t.same(offenders, [], 'a kept statement would carry such a mode to its next caller');
});
