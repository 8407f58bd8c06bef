#!/usr/bin/env bash
# Stops only the servers infra/local/up.sh started (recorded in $LATHE_STATE_DIR/started).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE_DIR=${LATHE_STATE_DIR:-$ROOT/.lathe/local}
STARTED_FILE=$STATE_DIR/started
[[ -f "$STARTED_FILE" ]] || { echo "[lathe down] nothing was started here" >&2; exit 0; }

while read -r kind port dir; do
  case "$kind" in
    postgres)
      bin=$(ls -d /usr/lib/postgresql/*/bin | head -1)
      if [[ -f "$dir/data/postmaster.pid" ]]; then
        echo "[lathe down] stopping PostgreSQL on port $port" >&2
        if [[ $EUID -eq 0 ]]; then su postgres -s /bin/bash -c "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null
        else "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
      fi ;;
    redis)
      if [[ -f "$dir/redis.pid" ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
        echo "[lathe down] stopping Redis on port $port" >&2
        redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$dir/redis.pid")"
      fi ;;
  esac
done <"$STARTED_FILE"
rm -f "$STARTED_FILE"
