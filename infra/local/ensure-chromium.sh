#!/usr/bin/env bash
# The dashboard's browser test drives Debian's Chromium (never a downloaded browser).
# Installs it when missing and running as root; otherwise says what to install.
set -euo pipefail
[[ -x /usr/bin/chromium ]] && exit 0
if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "[lathe] installing Chromium for the dashboard's browser test (apt-get install -y chromium)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } ||
    { echo "[lathe] error: could not install chromium with apt-get" >&2; exit 1; }
else
  echo "[lathe] Chromium is missing: run 'sudo apt-get install -y chromium' (the dashboard's browser test needs /usr/bin/chromium)" >&2
  exit 1
fi
