#!/usr/bin/env bash
# A throw-away PostgreSQL for development and CI, on the distribution's server
# (apt-get install -y postgresql). Not for production.
#
#   scripts/postgres-local.sh start  [DIR]   init if needed, start, ensure roles+database; prints DATABASE_URL
#   scripts/postgres-local.sh stop   [DIR]
#   scripts/postgres-local.sh status [DIR]   exit 0 when running (prints DATABASE_URL), 3 when not
#   scripts/postgres-local.sh urls   [DIR]   the least-privilege roles' URLs as env lines (3 when not running)
#
#   DIR   folder for everything (default /tmp/driftwatch-pg): data/, run/ (socket), postgres.log, password
#   env   PORT (default 5432), PG_BIN (default: newest /usr/lib/postgresql/*/bin),
#         DRIFTWATCH_PG_PASSWORD (default: random, created once, kept in DIR/password)
#
# Only the DATABASE_URL goes to stdout, so `export DATABASE_URL=$(scripts/postgres-local.sh start)`
# works; progress and errors go to stderr. Every subcommand is idempotent.
# The server listens on 127.0.0.1 only. Its superuser `postgres` is reachable only through
# the Unix socket in DIR/run (mode 0700, trust); the other roles log in over TCP with their
# passwords (scram-sha-256). Postgres refuses to run as root, so as root every server
# command runs as the `postgres` OS user (created by the postgresql package).
#
# Roles (docs/security.md). `start`/`status` print the URL of `driftwatch`: it owns the
# database and may create roles, which the tests need (a schema each, roles of their own).
# The three roles of schemas/roles.sql are created too, each with its own password in
# DIR/password-ROLE, and `urls` prints them for a least-privilege setup:
#   DATABASE_URL            driftwatch_writer   (writes windows; no DDL)
#   DATABASE_MIGRATION_URL  driftwatch_migrator (owns the tables, runs migrations)
#   DATABASE_READER_URL     driftwatch_reader   (SELECT only, for Grafana)
#   DATABASE_ADMIN_URL      driftwatch
# e.g. `set -a; eval "$(scripts/postgres-local.sh urls)"; set +a`.
set -euo pipefail

ROLE=driftwatch
DATABASE=driftwatch
SERVICE_ROLES=(driftwatch_migrator driftwatch_writer driftwatch_reader)
ROLES_SQL="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/schemas/roles.sql"

command=${1:-}
DIR=${2:-${DRIFTWATCH_PG_DIR:-/tmp/driftwatch-pg}}
PORT=${PORT:-5432}
DATA="$DIR/data"
SOCKET_DIR="$DIR/run"
LOG="$DIR/postgres.log"
PASSWORD_FILE="$DIR/password"

say() { echo "postgres-local: $*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
  sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no pg_ctl"
    echo "$PG_BIN"
    return
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$newest" && -x "$newest/pg_ctl" ]] ||
    die "no PostgreSQL server found under /usr/lib/postgresql (apt-get install -y postgresql), or set PG_BIN"
  echo "$newest"
}

# Run a server command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' OS user (the postgresql package creates it)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() {
  [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

# The port a running server listens on: line 4 of postmaster.pid.
running_port() {
  as_owner sed -n 4p "$DATA/postmaster.pid"
}

# The password of `driftwatch` (no argument) or of a service role: from its file in DIR,
# created (random, mode 0600) the first time.
read_password() {
  local role=${1:-} file=$PASSWORD_FILE
  if [[ -z "$role" && -n "${DRIFTWATCH_PG_PASSWORD:-}" ]]; then
    printf '%s' "$DRIFTWATCH_PG_PASSWORD"
    return
  fi
  [[ -n "$role" ]] && file="$PASSWORD_FILE-$role"
  if [[ ! -f "$file" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  fi
  cat "$file"
}

url_encode() {
  local text=$1 out='' ch i
  for ((i = 0; i < ${#text}; i++)); do
    ch=${text:i:1}
    case "$ch" in
      [a-zA-Z0-9._~-]) out+=$ch ;;
      *) out+=$(printf '%%%02X' "'$ch") ;;
    esac
  done
  printf '%s' "$out"
}

url_of() {
  local role=$1 password=$2 port=$3
  echo "postgres://$role:$(url_encode "$password")@127.0.0.1:$port/$DATABASE"
}

print_url() {
  url_of "$ROLE" "$(read_password)" "$1"
}

print_role_urls() {
  local port=$1
  echo "DATABASE_URL=$(url_of driftwatch_writer "$(read_password driftwatch_writer)" "$port")"
  echo "DATABASE_MIGRATION_URL=$(url_of driftwatch_migrator "$(read_password driftwatch_migrator)" "$port")"
  echo "DATABASE_READER_URL=$(url_of driftwatch_reader "$(read_password driftwatch_reader)" "$port")"
  echo "DATABASE_ADMIN_URL=$(print_url "$port")"
}

init_cluster() {
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  mkdir -p "$DATA" "$SOCKET_DIR"
  touch "$LOG"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$DATA" "$SOCKET_DIR" "$LOG"
  fi
  chmod 700 "$DATA" "$SOCKET_DIR"
  as_owner test -w "$DATA" ||
    die "the postgres user cannot write $DATA (is a folder above $DIR closed to others?)"
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    say "initialising a cluster in $DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --encoding=UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 >>"$LOG" 2>&1 ||
      die "initdb failed in $DATA; see $LOG"
  fi
}

sql_quote() {
  printf '%s' "${1//\'/\'\'}"
}

ensure_role_and_database() {
  local password
  password=$(read_password)
  # Fed on stdin, not argv, so the password never shows in `ps`. CREATEROLE: the tests
  # connect as this role and make roles of their own (tests/integration/postgres-roles.test.ts).
  as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U postgres -d postgres >/dev/null <<SQL
SELECT 'CREATE ROLE $ROLE LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE $ROLE WITH LOGIN CREATEROLE PASSWORD '$(sql_quote "$password")';
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DATABASE') \gexec
SQL
  ensure_service_roles
}

# schemas/roles.sql (the one definition of the roles' rights) on the driftwatch database's
# `public` schema, then each role's password. Read by this shell and piped, so the
# postgres OS user needs no access to the checkout.
ensure_service_roles() {
  [[ -f "$ROLES_SQL" ]] || die "missing $ROLES_SQL"
  local role
  {
    cat "$ROLES_SQL"
    for role in "${SERVICE_ROLES[@]}"; do
      echo "ALTER ROLE $role PASSWORD '$(sql_quote "$(read_password "$role")")';"
    done
  } | as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U postgres -d "$DATABASE" >/dev/null
}

start() {
  if is_running; then
    PORT=$(running_port)
    say "already running on 127.0.0.1:$PORT (data $DATA)"
  else
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 2; then
      die "another server already listens on 127.0.0.1:$PORT; stop it or choose another PORT=…"
    fi
    init_cluster
    say "starting on 127.0.0.1:$PORT (data $DATA, log $LOG)"
    if ! as_owner "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKET_DIR -c unix_socket_permissions=0700" >/dev/null; then
      tail -n 20 "$LOG" >&2 || true
      die "the server did not start; see $LOG"
    fi
  fi
  ensure_role_and_database
  print_url "$PORT"
}

stop() {
  if is_running; then
    as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null
    say "stopped (data kept in $DATA)"
  else
    say "not running (data $DATA)"
  fi
}

status() {
  if is_running; then
    local port
    port=$(running_port)
    say "running on 127.0.0.1:$port (data $DATA)"
    print_url "$port"
  else
    say "not running (data $DATA)"
    exit 3
  fi
}

urls() {
  if is_running; then
    print_role_urls "$(running_port)"
  else
    say "not running (data $DATA)"
    exit 3
  fi
}

case "$command" in
  start) BIN=$(find_bin); start ;;
  urls) BIN=$(find_bin); urls ;;
  stop) BIN=$(find_bin); stop ;;
  status) BIN=$(find_bin); status ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
