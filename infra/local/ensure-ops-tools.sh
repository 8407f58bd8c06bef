#!/usr/bin/env bash
# The operations tests need Debian's prometheus + promtool (rule checks, rule unit tests, a real
# scrape) and docker-compose (validates infra/compose.yaml without a Docker engine); kubectl
# with kustomize comes with the machine image. Installs the Debian packages when missing and
# running as root; otherwise says what to install.
set -euo pipefail
missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
command -v docker-compose >/dev/null || missing+=(docker-compose)
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "[lathe] installing ${missing[*]} for the operations tests (apt-get install -y ${missing[*]})" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } ||
    { echo "[lathe] error: could not install ${missing[*]} with apt-get" >&2; exit 1; }
  # Debian's package starts a Prometheus service where an init system runs; the tests start their own.
else
  echo "[lathe] missing ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' (the operations tests need them)" >&2
  exit 1
fi
