import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitSqlStatements } from '../../sink/postgres/sql-split.js';

test('splits at top-level semicolons and drops comment-only pieces', () => {
  assert.deepEqual(splitSqlStatements('-- header; with a semicolon\nCREATE TABLE a (x int);\n\n/* b; */ SELECT 1;\n-- trailing;\n'), [
    'CREATE TABLE a (x int)',
    'SELECT 1',
  ]);
});

test('semicolons inside strings, identifiers, dollar quotes and nested comments do not split', () => {
  const text = [
    "INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\\'slash;')",
    'CREATE TABLE "we;ird" (x int)',
    'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
    'DO $$ BEGIN PERFORM 1; END $$',
    'SELECT /* outer /* inner; */ still; */ 2',
  ];
  assert.deepEqual(splitSqlStatements(text.join(';\n') + ';'), text);
});

test('a last statement without a semicolon is kept; unterminated quotes are errors', () => {
  assert.deepEqual(splitSqlStatements('SELECT 1; SELECT 2'), ['SELECT 1', 'SELECT 2']);
  assert.throws(() => splitSqlStatements("SELECT 'open"), /unterminated '-quoted text at offset 7/);
  assert.throws(() => splitSqlStatements('SELECT $x$ open'), /unterminated dollar-quoted text \$x\$/);
});
