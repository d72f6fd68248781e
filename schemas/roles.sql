-- driftwatch's least-privilege Postgres roles. Run once per database by an
-- administrator: a superuser, or a role with CREATEROLE that owns the target
-- schema (on Postgres 15+ the database owner owns `public`). Idempotent.
--
--   driftwatch_migrator  owns the tables: runs the migrations (DATABASE_MIGRATION_URL)
--   driftwatch_writer    SELECT, INSERT, UPDATE, DELETE on them (DATABASE_URL)
--   driftwatch_reader    SELECT only (Grafana)
--
-- None can create databases or roles, and only the migrator can create, alter,
-- drop or truncate tables. The roles get LOGIN but no password: set one with
-- psql's \password ROLE (it sends a SCRAM verifier, never the password), or use
-- setupRoles() in sink/postgres/roles.ts, which does the same.
--
--   psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -f schemas/roles.sql
--
-- Other role names or another schema (default: the connection's current schema,
-- normally `public`) come from settings, so nothing is spliced into this text:
--
--   PGOPTIONS='-c driftwatch.writer_role=dw_writer -c driftwatch.schema=monitoring' psql … -f schemas/roles.sql
--
-- Tables created later by the migrator are granted through default privileges;
-- tables that already exist in the schema are granted here.
DO $roles$
DECLARE
  migrator text := coalesce(nullif(current_setting('driftwatch.migrator_role', true), ''), 'driftwatch_migrator');
  writer text := coalesce(nullif(current_setting('driftwatch.writer_role', true), ''), 'driftwatch_writer');
  reader text := coalesce(nullif(current_setting('driftwatch.reader_role', true), ''), 'driftwatch_reader');
  target_schema text := coalesce(nullif(current_setting('driftwatch.schema', true), ''), current_schema());
  service_role text;
BEGIN
  IF target_schema IS NULL THEN
    RAISE EXCEPTION 'no schema to grant on: set driftwatch.schema or give the connection a search_path';
  END IF;
  FOREACH service_role IN ARRAY ARRAY[migrator, writer, reader] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service_role) THEN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', service_role);
    ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service_role
                  AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)) THEN
      -- Granting less to a role that can do everything would only look safe.
      RAISE EXCEPTION 'role % already exists with administrative attributes (superuser, createrole, createdb, replication or bypassrls); driftwatch will not use it', service_role;
    ELSE
      EXECUTE format('ALTER ROLE %I LOGIN', service_role);
    END IF;
  END LOOP;

  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I', current_database(), migrator, writer, reader);
  -- Before Postgres 15 every role could create objects in `public`; nobody but the migrator should.
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', target_schema);
  EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', target_schema, migrator);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I, %I', target_schema, writer, reader);

  -- ALTER DEFAULT PRIVILEGES FOR ROLE needs the right to act as that role;
  -- superusers have it, a CREATEROLE administrator gives it to itself.
  -- (Postgres 16 split membership into SET and INHERIT; before, MEMBER was enough.)
  IF NOT (CASE WHEN current_setting('server_version_num')::int >= 160000
               THEN pg_has_role(current_user, migrator, 'SET')
               ELSE pg_has_role(current_user, migrator, 'MEMBER') END) THEN
    EXECUTE format('GRANT %I TO %I', migrator, current_user);
  END IF;
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
                 migrator, target_schema, writer);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I',
                 migrator, target_schema, writer);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
                 migrator, target_schema, reader);

  -- Tables migrated before the roles existed.
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', target_schema, writer);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', target_schema, reader);
  -- The migration log is the migrator's: the writer may read it, never change it.
  IF to_regclass(format('%I.schema_migrations', target_schema)) IS NOT NULL THEN
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I.schema_migrations FROM %I', target_schema, writer);
  END IF;
END
$roles$;
