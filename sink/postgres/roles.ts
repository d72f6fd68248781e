/**
 * driftwatch's least-privilege Postgres roles (see schemas/roles.sql, the one
 * definition of their rights): a migrator that owns the tables, a writer with
 * SELECT/INSERT/UPDATE/DELETE, a reader with SELECT.
 *
 * Nothing from outside is spliced into SQL text: role names and the schema
 * travel as bound parameters into settings that roles.sql and the DO blocks
 * below read and quote with format('%I', …) / format('%L', …). Passwords never
 * reach the server: it gets a SCRAM-SHA-256 verifier built here, as psql's
 * \password does, so no server log or pg_stat_activity can show one.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { splitSqlStatements } from './sql-split.js';
import { trustedSql } from './migrate.js';

export const ROLES_SQL_FILE = fileURLToPath(new URL('../../schemas/roles.sql', import.meta.url));

export interface RoleNames {
  readonly migrator: string;
  readonly writer: string;
  readonly reader: string;
}

export const DEFAULT_ROLE_NAMES: RoleNames = {
  migrator: 'driftwatch_migrator',
  writer: 'driftwatch_writer',
  reader: 'driftwatch_reader',
};

export interface SetupRolesOptions {
  readonly names?: RoleNames;
  /** Schema to grant on; default the admin connection's current schema. */
  readonly schema?: string;
  /** Passwords to set; a role left out keeps its password (or has none). */
  readonly passwords?: Partial<Record<keyof RoleNames, string>>;
}

/**
 * Create the roles and grant their rights (idempotent), as an administrator:
 * a superuser or a CREATEROLE role that owns the schema. One transaction.
 */
export async function setupRoles(adminPool: DatabasePool, options: SetupRolesOptions = {}): Promise<void> {
  const names = options.names ?? DEFAULT_ROLE_NAMES;
  const statements = splitSqlStatements(readFileSync(ROLES_SQL_FILE, 'utf8'));
  await adminPool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      SELECT set_config('driftwatch.migrator_role', ${names.migrator}, true),
             set_config('driftwatch.writer_role', ${names.writer}, true),
             set_config('driftwatch.reader_role', ${names.reader}, true),
             set_config('driftwatch.schema', ${options.schema ?? ''}, true)`);
    for (const statement of statements) await tx.query(trustedSql(statement));
    for (const kind of ['migrator', 'writer', 'reader'] as const) {
      const password = options.passwords?.[kind];
      if (password !== undefined) await setRolePassword(tx, names[kind], password);
    }
  });
}

/** ALTER ROLE … PASSWORD with a SCRAM verifier; the role name and verifier are bound parameters. */
export async function setRolePassword(tx: CommonQueryMethods, role: string, password: string): Promise<void> {
  if (!password) throw new Error(`the password for role ${role} is empty`);
  await tx.query(sql.unsafe`
    SELECT set_config('driftwatch.password_role', ${role}, true),
           set_config('driftwatch.password_verifier', ${scramSha256Verifier(password)}, true)`);
  await tx.query(sql.unsafe`
    DO $password$ BEGIN
      EXECUTE format('ALTER ROLE %I PASSWORD %L',
                     current_setting('driftwatch.password_role'), current_setting('driftwatch.password_verifier'));
    END $password$`);
  await tx.query(sql.unsafe`SELECT set_config('driftwatch.password_verifier', '', true)`);
}

/**
 * The migration log belongs to the migrator. Default privileges give the writer
 * DML on every table the migrator creates, schema_migrations included; this
 * takes the writes back. Run by the migrator after each migrate (idempotent).
 * A writer that is the migrator itself (one URL for both) keeps its rights.
 */
export async function revokeWriterFromMigrationLog(migrationPool: DatabasePool, writerRole: string): Promise<void> {
  const migrator = await migrationPool.oneFirst(sql.unsafe`SELECT current_user::text`);
  if (migrator === writerRole) return;
  await migrationPool.query(sql.unsafe`
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${sql.identifier([writerRole])}`);
}

/**
 * The verifier Postgres stores for a SCRAM-SHA-256 password (RFC 5802/7677,
 * Postgres' scram_build_secret): SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>,
 * all base64. Postgres runs SASLprep over the password first; for the ASCII
 * passwords we generate that is the identity, and NFKC covers the usual
 * non-ASCII case (the mapping tables of RFC 4013 are not reproduced here).
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const saltedPassword = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

