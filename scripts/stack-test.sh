#!/usr/bin/env bash
# make stack-test: the real stack on this machine, under faults. PostgreSQL (with-postgres.sh),
# Redis (Debian's redis-server, installed here when missing and root), then, started by
# tests/stack/conftest.py: an S3 server (moto), an SMTP sink (aiosmtpd), gunicorn with the
# production settings, a Celery worker and beat. tests/stack/test_stack.py plays the scenario
# over HTTP and prints one line per fault it injects.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "Redis absent : installation du paquet Debian redis-server…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }
  else
    echo "redis-server introuvable : installez le paquet redis-server." >&2
    exit 1
  fi
fi

# A throwaway PostgreSQL even when DATABASE_URL is set: the test restarts it.
env -u DATABASE_URL bash scripts/with-postgres.sh \
  .venv/bin/python -m pytest -m stack tests/stack -p no:xdist -p no:randomly -q -s "$@"
