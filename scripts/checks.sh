#!/usr/bin/env bash
# The checks `make test` runs once a database is available (DATABASE_URL set by with-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=clasportal.settings.test
$PY manage.py check
$PY manage.py makemigrations --check --dry-run
SECRET_KEY=check-deploy-$(date +%s)-a-long-random-looking-secret-value-for-the-check \
  EMAIL_URL=smtp://smtp.example.invalid:25 \
  DJANGO_SETTINGS_MODULE=clasportal.settings.production \
  $PY manage.py check --deploy --fail-level WARNING
$PY -m pytest -n 2 "$@"
# The browser journeys, in Debian's Chromium (installed here when missing and root).
bash scripts/ensure-chromium.sh
$PY -m pytest -m e2e tests/e2e
