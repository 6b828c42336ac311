// One owner per table: every table the migrations create is named in the SQL of one server domain only
// (server/<domain>/). Another domain calls the owner's functions, so a renamed column is found in one place.
// Migrations and server/db (connection, backup) are the infrastructure every domain sits on, not owners.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Table names created by the migrations' SQL. */
export function tablesCreated(sql: string): string[] {
  return [...sql.matchAll(/CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?/gi)].map((m) => m[1]!);
}

/** Tables a source file names in SQL (upper-case keywords, as the code writes them; prose in messages is lower case). */
function tablesNamed(source: string, tables: readonly string[]): string[] {
  return tables.filter((name) => new RegExp(`\\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\\s+${name}\\b`).test(source));
}

/** table -> the domains whose files name it; files are (path relative to server/, text). */
export function tableDomains(files: ReadonlyArray<[string, string]>, tables: readonly string[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [rel, text] of files) {
    const domain = rel.split('/')[0]!;
    if (domain === 'db' || !rel.includes('/')) continue;
    for (const name of tablesNamed(text, tables)) {
      if (!found.has(name)) found.set(name, new Set());
      found.get(name)!.add(domain);
    }
  }
  return found;
}

function serverFiles(dir: string, base = dir): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'console') out.push(...serverFiles(full, base));
    } else if (entry.name.endsWith('.ts')) {
      out.push([path.relative(base, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8')]);
    }
  }
  return out;
}

t.test('the check finds a table named by two domains', async (t) => {
  const domains = tableDomains(
    [
      ['sites/regions.ts', 'db.prepare("SELECT id FROM regions WHERE id = ?")'],
      ['platforms/platforms.ts', 'SELECT p.id FROM platforms p JOIN regions r ON r.id = p.region_id'],
      ['catalog/repo.ts', "throw new Error('removed from regions')"],
    ],
    ['regions', 'platforms'],
  );
  t.same([...domains.get('regions')!].sort(), ['platforms', 'sites']);
  t.same([...domains.get('platforms')!], ['platforms']);
  t.same(tablesCreated('CREATE TABLE a (x); CREATE VIRTUAL TABLE IF NOT EXISTS b USING fts5(y);'), ['a', 'b']);
});

t.test('every table has one owning domain', async (t) => {
  const migrations = path.join(root, 'server', 'db', 'migrations');
  const tables = fs
    .readdirSync(migrations)
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) => tablesCreated(fs.readFileSync(path.join(migrations, f), 'utf8')));
  t.ok(tables.length > 20, `the migrations create the tables (${tables.length})`);
  const domains = tableDomains(serverFiles(path.join(root, 'server')), [...new Set(tables)]);
  t.ok(domains.size > 20, `tables found in the domains' SQL (${domains.size})`);
  for (const [table, owners] of domains) {
    t.equal(owners.size, 1, `${table} is named only in ${[...owners].join(' and ')}: the other domain calls the owner's functions`);
  }
});
