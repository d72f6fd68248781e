/**
 * SQL is built only through slonik's tagged templates, whose ${…} values are
 * sent as bound parameters. The few places that put text into SQL any other
 * way — our own .sql files run whole, or an identifier quoted by
 * sql.identifier — are listed here with the reason each is safe, so a new one
 * fails this test until someone looks at it. (Data that looks like SQL is
 * stored as data: postgres-writer.test.ts writes a column named
 * `x"; DROP TABLE windows; --`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = process.cwd();
const PRODUCT_FOLDERS = ['cli', 'processor', 'producer', 'sink'];

/** Ways to get text into SQL other than a bound parameter. */
const RAW_SQL = [
  { name: 'sql.identifier', pattern: /sql\.identifier\(/g },
  { name: 'sql.unsafe called as a function (raw text)', pattern: /sql\.unsafe\(/g },
  { name: 'trustedSql', pattern: /trustedSql\(/g },
  { name: 'slonik raw helpers', pattern: /sql\.(raw|literalValue)\b/g },
  { name: 'the pg driver directly', pattern: /from ['"]pg['"]|require\(['"]pg['"]\)/g },
];

/** file → why what it splices is not data. */
const ALLOWED: Record<string, string> = {
  'sink/postgres/migrate.ts': 'runs our own schemas/migrations/*.sql files, statement by statement',
  'sink/postgres/roles.ts': 'runs our own schemas/roles.sql; the one identifier is current_user, read from the server',
  'sink/postgres/writer.ts': 'table names from a fixed list in the file',
  'sink/postgres/embedded.ts': 'the database name is a constant of the file',
};

function productFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...productFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) files.push(path);
  }
  return files;
}

test('text reaches SQL other than as a bound parameter only in the reviewed files', () => {
  const found = new Map<string, string[]>();
  for (const folder of PRODUCT_FOLDERS) {
    for (const path of productFiles(join(ROOT, folder))) {
      const text = readFileSync(path, 'utf8');
      const kinds = RAW_SQL.filter(({ pattern }) => (text.match(pattern) ?? []).length > 0).map(({ name }) => name);
      if (kinds.length > 0) found.set(relative(ROOT, path), kinds);
    }
  }
  const unreviewed = [...found].filter(([file]) => !(file in ALLOWED));
  assert.deepEqual(unreviewed, [], 'SQL built from text outside the reviewed files: use a ${…} parameter, or review and list the file here');
  assert.ok(found.has('sink/postgres/migrate.ts'), 'the scan finds the known sites (it is not looking at nothing)');
  for (const [file, kinds] of found) {
    assert.ok(!kinds.includes('slonik raw helpers') && !kinds.includes('the pg driver directly'), `${file}: ${kinds.join(', ')}`);
  }
});
