#!/usr/bin/env bash
# Makes PostgreSQL and Redis available to Lathe, then migrates the registry.
#
#   DATABASE_URL / REDIS_URL reachable  -> used as they are.
#   otherwise                           -> a local server is started on the URL's port (or
#                                          LATHE_PG_PORT / LATHE_REDIS_PORT), installing the
#                                          Debian package first when running as root.
#
# Idempotent: a second call finds the servers running and only re-checks and migrates.
# Writes the URLs to $LATHE_STATE_DIR/env (source it) and records what it started, so that
# infra/local/down.sh stops only that.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE_DIR=${LATHE_STATE_DIR:-$ROOT/.lathe/local}
mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
STARTED_FILE=$STATE_DIR/started
touch "$STARTED_FILE"

say() { echo "[lathe up] $*" >&2; }
die() { echo "[lathe up] error: $*" >&2; exit 1; }

url_part() { # url_part URL host|port|db|user
  node -e '
    const [raw, part] = process.argv.slice(1);
    let u; try { u = new URL(raw); } catch { process.exit(2); }
    const v = { host: u.hostname, port: u.port, db: u.pathname.replace(/^\//, ""), user: decodeURIComponent(u.username) }[part];
    process.stdout.write(v ?? "");' "$1" "$2" || die "not a URL: $1"
}
is_local_host() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

# ---------------------------------------------------------------- PostgreSQL
PG_PORT=${LATHE_PG_PORT:-55432}
DB_NAME=${LATHE_DB_NAME:-lathe}
if [[ -n "${DATABASE_URL:-}" ]]; then
  PG_HOST=$(url_part "$DATABASE_URL" host)
  PG_PORT=$(url_part "$DATABASE_URL" port); PG_PORT=${PG_PORT:-5432}
  DB_NAME=$(url_part "$DATABASE_URL" db); DB_NAME=${DB_NAME:-lathe}
else
  PG_HOST=127.0.0.1
  DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
fi

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [[ -x "$dir/initdb" ]] && { echo "$dir"; return; }; done
  return 1
}

as_pg_owner() { # runs a command as the user that owns the cluster (postgres when we are root)
  if [[ $EUID -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

pg_reachable() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

ensure_pg_tools() {
  command -v pg_isready >/dev/null 2>&1 && pg_bin >/dev/null && return
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing PostgreSQL (apt-get install -y postgresql)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } ||
      die "could not install postgresql with apt-get"
  else
    die "PostgreSQL is not installed: run 'sudo apt-get install -y postgresql', or set DATABASE_URL to a reachable server"
  fi
}

start_postgres() {
  is_local_host "$PG_HOST" || die "DATABASE_URL points at $PG_HOST:$PG_PORT, which does not answer; start that server or unset DATABASE_URL to let Lathe run its own"
  local bin; bin=$(pg_bin)
  # postgres (the user) must be able to enter the data directory's parents; /root is closed.
  local pg_dir=$STATE_DIR/postgres-$PG_PORT
  if [[ $EUID -eq 0 ]] && ! su postgres -s /bin/bash -c "test -x '$STATE_DIR'" 2>/dev/null; then
    pg_dir=/tmp/lathe-pg-$PG_PORT
  fi
  mkdir -p "$pg_dir"
  [[ $EUID -eq 0 ]] && chown postgres "$pg_dir" && chmod 700 "$pg_dir"
  if [[ ! -f "$pg_dir/data/PG_VERSION" ]]; then
    say "initialising a PostgreSQL cluster in $pg_dir"
    as_pg_owner "'$bin/initdb' -D '$pg_dir/data' -U postgres -A trust -E UTF8 --no-locale >'$pg_dir/initdb.log' 2>&1" ||
      die "initdb failed; see $pg_dir/initdb.log"
  fi
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg_owner "'$bin/pg_ctl' -D '$pg_dir/data' -l '$pg_dir/log' -w -t 30 -o \"-p $PG_PORT -k '$pg_dir' -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null" ||
    die "PostgreSQL did not start; see $pg_dir/log"
  grep -qx "postgres $PG_PORT $pg_dir" "$STARTED_FILE" || echo "postgres $PG_PORT $pg_dir" >>"$STARTED_FILE"
}

ensure_pg_tools
if pg_reachable; then
  say "PostgreSQL reachable at $PG_HOST:$PG_PORT"
else
  start_postgres
  for _ in $(seq 1 50); do pg_reachable && break; sleep 0.2; done
  pg_reachable || die "PostgreSQL at $PG_HOST:$PG_PORT did not become ready"
fi

# Create the database when it is missing (connect to the server's maintenance database).
ADMIN_URL=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/postgres"; process.stdout.write(u.toString())' "$DATABASE_URL")
if ! psql "$ADMIN_URL" -tAc "select 1 from pg_database where datname = '$DB_NAME'" 2>/dev/null | grep -q 1; then
  say "creating database $DB_NAME"
  psql "$ADMIN_URL" -qc "create database \"$DB_NAME\"" >/dev/null || die "could not create database $DB_NAME on $PG_HOST:$PG_PORT"
fi

# ---------------------------------------------------------------- Redis
REDIS_PORT=${LATHE_REDIS_PORT:-56379}
if [[ -n "${REDIS_URL:-}" ]]; then
  REDIS_HOST=$(url_part "$REDIS_URL" host)
  REDIS_PORT=$(url_part "$REDIS_URL" port); REDIS_PORT=${REDIS_PORT:-6379}
else
  REDIS_HOST=127.0.0.1
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
fi

redis_reachable() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

if ! command -v redis-server >/dev/null 2>&1; then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing Redis (apt-get install -y redis-server)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null; } ||
      die "could not install redis-server with apt-get"
  elif ! redis_reachable 2>/dev/null; then
    die "Redis is not installed: run 'sudo apt-get install -y redis-server', or set REDIS_URL to a reachable server"
  fi
fi

if redis_reachable; then
  say "Redis reachable at $REDIS_HOST:$REDIS_PORT"
else
  is_local_host "$REDIS_HOST" || die "REDIS_URL points at $REDIS_HOST:$REDIS_PORT, which does not answer; start that server or unset REDIS_URL to let Lathe run its own"
  redis_dir=$STATE_DIR/redis-$REDIS_PORT
  mkdir -p "$redis_dir"
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  # No persistence: Postgres is the source of truth and the reconciler re-enqueues lost jobs.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" --dir "$redis_dir" ||
    die "Redis did not start; see $redis_dir/redis.log"
  grep -qx "redis $REDIS_PORT $redis_dir" "$STARTED_FILE" || echo "redis $REDIS_PORT $redis_dir" >>"$STARTED_FILE"
  for _ in $(seq 1 50); do redis_reachable && break; sleep 0.1; done
  redis_reachable || die "Redis at 127.0.0.1:$REDIS_PORT did not become ready; see $redis_dir/redis.log"
fi

# ---------------------------------------------------------------- migrate and publish
printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$DATABASE_URL" "$REDIS_URL" >"$STATE_DIR/env"
if [[ "${LATHE_SKIP_MIGRATE:-}" != "1" ]]; then
  DATABASE_URL="$DATABASE_URL" node "$ROOT/scripts/with-pnpm.mjs" --silent --filter @lathe/registry run migrate ||
    die "migration failed"
fi
# The first admin API key: created once, when none exists, printed once and kept (mode 600)
# in $STATE_DIR/admin-key for the demo and the CLI on this machine.
if [[ "${LATHE_SKIP_MIGRATE:-}" != "1" && "${LATHE_SKIP_ADMIN_KEY:-}" != "1" ]]; then
  KEY=$(cd "$ROOT/services/api" && DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" node --import tsx src/bootstrap-admin-key.ts 2>/dev/null) ||
    die "could not create the bootstrap admin key"
  if [[ -n "$KEY" ]]; then
    (umask 077 && printf '%s\n' "$KEY" >"$STATE_DIR/admin-key")
    say "created the bootstrap admin API key (shown once; also in $STATE_DIR/admin-key): $KEY"
  fi
fi
say "ready: DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL (written to $STATE_DIR/env)"
