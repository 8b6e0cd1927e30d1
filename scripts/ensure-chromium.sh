#!/usr/bin/env bash
# Browser tests use Debian's Chromium (no browser download at install time).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "Chromium introuvable : installez le paquet Debian chromium." >&2
    exit 1
  fi
fi
