#!/usr/bin/env bash
# After scripts/compose-offline.sh (or docker-compose … -f docker-compose.trial.yml up): the
# shape answers through the proxy. One line per check, exit status non-zero on a failure. Only
# Python's standard library on the host (scripts/compose_smoke.py) and the docker command.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f deploy/trial/compose.env ]] || { echo "deploy/trial/compose.env absent : lancez d'abord scripts/compose-offline.sh" >&2; exit 1; }
PY=$(command -v python3.11 || command -v python3)
exec "$PY" scripts/compose_smoke.py "$@"
