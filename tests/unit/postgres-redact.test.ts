import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactDatabaseUrl } from '../../sink/postgres/redact.js';

test('the password of a URL is masked, the rest is kept', () => {
  assert.equal(redactDatabaseUrl('postgres://dw:s3cr%40t@db.example:5432/driftwatch?sslmode=require'),
    'postgres://dw:***@db.example:5432/driftwatch?sslmode=require');
  assert.equal(redactDatabaseUrl('postgresql://dw@localhost/driftwatch'), 'postgresql://dw@localhost/driftwatch');
  assert.equal(redactDatabaseUrl('postgres://localhost/db?user=dw&password=hunter2'),
    'postgres://localhost/db?user=dw&password=***');
});

test('a URL that does not parse and the key=value form are masked too', () => {
  const broken = redactDatabaseUrl('postgres://dw:p@ss:w0rd@[bad/db');
  assert.ok(!broken.includes('w0rd') && !broken.includes('p@ss'), broken);
  assert.equal(redactDatabaseUrl("host=localhost password='a b\\'c' dbname=dw"), 'host=localhost password=*** dbname=dw');
  assert.equal(redactDatabaseUrl('host=localhost password=hunter2 user=dw'), 'host=localhost password=*** user=dw');
});
