#!/usr/bin/env bash
# Real sample data that comes from Debian, not from the npm registry (see @lathe/data samples):
#   - Fashion-MNIST: the package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist);
#   - Debian's own package index (apt-cache dumpavail), filled by `apt-get update`.
# Installs what is missing when running as root; otherwise says what to run.
set -euo pipefail
say() { echo "[lathe] $*" >&2; }
can_apt() { [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; }

if [[ -z "$(apt-cache dumpavail 2>/dev/null | head -c 1)" ]]; then
  if can_apt; then
    say "filling Debian's package index (apt-get update) for the debian-packages sample"
    apt-get update -q >/dev/null 2>&1 || say "apt-get update failed; the debian-packages sample will be unavailable"
  else
    say "Debian's package index is empty: run 'sudo apt-get update' for the debian-packages sample"
  fi
fi

if [[ ! -e /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]]; then
  if can_apt; then
    say "installing Fashion-MNIST (apt-get install -y dataset-fashion-mnist)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null; } ||
      say "could not install dataset-fashion-mnist; the fashion-mnist sample will be unavailable"
  else
    say "Fashion-MNIST is missing: run 'sudo apt-get install -y dataset-fashion-mnist'"
  fi
fi
