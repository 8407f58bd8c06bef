#!/bin/sh
# The image's command: which Lathe process this container runs. `exec` so that the process is
# tini's direct child and receives SIGTERM (graceful shutdown) itself.
set -eu
role="${1:-api}"
# tsx is installed globally (not a workspace dependency): import its loader by path.
loader="${LATHE_TSX_LOADER:-/usr/local/lib/node_modules/tsx/dist/loader.mjs}"
cd "${LATHE_APP_DIR:-/app}"
case "$role" in
  api | serve | ingest | train | evaluate | deploy)
    exec node --import "$loader" "services/$role/src/main.ts" ;;
  scoring)
    # Batch scoring on its own (the evaluate service's code, the scoring queue only).
    exec node --import "$loader" services/evaluate/src/scoring-main.ts ;;
  migrate)
    exec node --import "$loader" packages/registry/src/cli/migrate.ts ;;
  *)
    echo "lathe: unknown role '$role' (expected api, serve, ingest, train, evaluate, deploy, scoring or migrate)" >&2
    exit 64 ;;
esac
