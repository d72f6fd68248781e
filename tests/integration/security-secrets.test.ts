/**
 * Secrets come from the environment or from files named there, and never reach
 * a log line or an error message: readSecret's NAME / NAME_FILE contract, the
 * process logger's redaction (run in a child process, as the CLI writes it to
 * stderr), and openDatabase's logs and errors when the server cannot be
 * reached, for one URL and for the writer/migration pair. (A live run's whole
 * log is checked in run-embedded.test.ts; /readyz in security-endpoints.test.ts.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { readSecret } from '../../cli/secrets.js';
import { openDatabase } from '../../sink/postgres/open.js';

const run = promisify(execFile);
const PASSWORD = 'Tr0ub4dor-secret-91e2';
const ENCODED = encodeURIComponent(`${PASSWORD}@/:`);

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-secrets-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('readSecret takes NAME, or the content of the file NAME_FILE, never both', async () => {
  const file = join(dir, 'db-url');
  await writeFile(file, `postgres://u:${PASSWORD}@h/db\n`);
  assert.equal(readSecret({ DATABASE_URL: 'postgres://direct' }, 'DATABASE_URL'), 'postgres://direct');
  assert.equal(readSecret({ DATABASE_URL_FILE: file }, 'DATABASE_URL'), `postgres://u:${PASSWORD}@h/db`, 'one trailing newline dropped');
  assert.equal(readSecret({}, 'DATABASE_URL'), undefined);
  assert.equal(readSecret({ DATABASE_URL: '' }, 'DATABASE_URL'), undefined, 'empty counts as unset, like the other env settings');
  await writeFile(join(dir, 'pw'), ` ${PASSWORD} \n\n`);
  assert.equal(readSecret({ KAFKA_SASL_PASSWORD_FILE: join(dir, 'pw') }, 'KAFKA_SASL_PASSWORD'), ` ${PASSWORD} \n`, 'only one line break is dropped');
  assert.throws(() => readSecret({ DATABASE_URL: 'postgres://a', DATABASE_URL_FILE: file }, 'DATABASE_URL'),
    /both DATABASE_URL and DATABASE_URL_FILE are set/);
});

test('readSecret errors name the variable and the file, never the content', async () => {
  const missing = join(dir, 'absent');
  assert.throws(() => readSecret({ KAFKA_SASL_PASSWORD_FILE: missing }, 'KAFKA_SASL_PASSWORD'),
    new RegExp(`^UsageError: KAFKA_SASL_PASSWORD_FILE: cannot read ${missing} \\(ENOENT\\)$`));
  const empty = join(dir, 'empty');
  await writeFile(empty, '\n');
  assert.throws(() => readSecret({ DATABASE_URL_FILE: empty }, 'DATABASE_URL'), /DATABASE_URL_FILE: .*empty is empty/);
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked');
    await writeFile(locked, PASSWORD);
    await chmod(locked, 0o000);
    assert.throws(() => readSecret({ DATABASE_URL_FILE: locked }, 'DATABASE_URL'),
      (error: Error) => /EACCES/.test(error.message) && !error.message.includes(PASSWORD));
  }
});

test('the process logger redacts password, databaseUrl and sasl fields', async () => {
  const script = `
    import { createLogger } from './cli/logger.ts';
    const log = createLogger('test');
    log.info({ password: ${JSON.stringify(PASSWORD)}, databaseUrl: 'postgres://u:${ENCODED}@h/db',
      sasl: { mechanism: 'plain', username: 'u', password: ${JSON.stringify(PASSWORD)} },
      kafka: { password: ${JSON.stringify(PASSWORD)} } }, 'connecting');`;
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, DRIFTWATCH_LOG_LEVEL: 'info' } });
  assert.equal(stdout, '', 'logs go to stderr');
  const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'connecting', 'the line was written');
  assert.equal(line.password, '[redacted]');
  assert.equal(line.databaseUrl, '[redacted]');
  assert.equal(line.sasl, '[redacted]');
  assert.deepEqual(line.kafka, { password: '[redacted]' });
  assert.ok(!stderr.includes(PASSWORD) && !stderr.includes(ENCODED), stderr);
});

/** A loopback port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('openDatabase names an unreachable server without its password, in logs and in the error', async () => {
  const port = await closedPort();
  const writerUrl = `postgres://driftwatch_writer:${ENCODED}@127.0.0.1:${port}/driftwatch`;
  const migrationUrl = `postgres://driftwatch_migrator:${ENCODED}@127.0.0.1:${port}/driftwatch?sslmode=disable`;
  for (const options of [{ url: writerUrl }, { url: writerUrl, migration_url: migrationUrl }]) {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }));
    const error = await openDatabase({ ...options, embedded_dir: join(dir, 'unused') }, log).then(() => null, (e: Error) => e);
    assert.ok(error, 'opening an unreachable database fails');
    const logText = lines.join('');
    assert.match(error.message, new RegExp(`^Postgres at postgres://driftwatch_writer:\\*\\*\\*@127\\.0\\.0\\.1:${port}/driftwatch: `));
    assert.match(logText, /driftwatch_writer:\*\*\*@127\.0\.0\.1/, 'the log names the server');
    for (const text of [error.message, error.stack ?? '', logText]) {
      assert.ok(!text.includes(PASSWORD) && !text.includes(ENCODED), `password leaked: ${text.slice(0, 400)}`);
    }
  }
});

test('a migration URL without a writer URL is refused before anything starts', async () => {
  const log = pino({ level: 'silent' });
  await assert.rejects(openDatabase({ migration_url: `postgres://m:${ENCODED}@127.0.0.1:1/db`, embedded_dir: join(dir, 'unused') }, log),
    (error: Error) => /DATABASE_MIGRATION_URL is set but DATABASE_URL is not/.test(error.message) && !error.message.includes(ENCODED));
});
