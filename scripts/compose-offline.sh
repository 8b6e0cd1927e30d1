#!/usr/bin/env bash
# The production shape of docker-compose.yml on this machine, without Docker Hub (a manual check,
# not part of make test). Needs a running Docker engine, docker-compose, and Debian's package
# mirror (and PyPI, for the wheels) reachable from the host.
#
#   scripts/compose-offline.sh            base image, wheels, images, then the whole shape up,
#                                         demo data loaded, and scripts/compose-smoke.sh
#   scripts/compose-offline.sh smoke [--faults]   scripts/compose-smoke.sh alone
#   scripts/compose-offline.sh down [-v]  stops and removes the containers (-v: the data too)
#   scripts/compose-offline.sh ARGS…      any docker-compose command on the same files
#                                         (ps, logs -f worker, restart proxy, up -d --scale web=4…)
#
# Steps of the first form:
#  1. a Debian bookworm base image, clas-base/debian:bookworm (debootstrap from Debian's mirror,
#     then docker import), unless CLAS_BASE_IMAGE names one (debian:bookworm-slim with Docker Hub);
#  2. clas/python:3.11-bookworm from it (deploy/python.Dockerfile);
#  3. the portal's Python packages as wheels in deploy/wheels (pip wheel on the host: the builds
#     themselves need no PyPI);
#  4. a self-signed certificate and the trial's settings in deploy/trial/ (SECRET_KEY drawn once,
#     EMAIL_URL to the SMTP sink, HTTP_PORT 8080, HTTPS_PORT 8443, WEB_REPLICAS 3);
#  5. docker-compose build and up -d with docker-compose.yml + .offline.yml + .trial.yml, waits for
#     every health check, loads the demo data (seed_demo --if-empty, development settings on the
#     same database: seed_demo refuses the production ones) and runs scripts/compose-smoke.sh.
# The demo accounts (password demo-clas-2026) then log in at https://localhost:8443/ (the browser
# warns about the self-signed certificate, deploy/trial/tls/cert.pem).
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=${COMPOSE_PROJECT_NAME:-clas}
TRIAL=deploy/trial
ENV_FILE=$TRIAL/compose.env
BASE_IMAGE=${CLAS_BASE_IMAGE:-clas-base/debian:bookworm}
PYTHON_IMAGE=${CLAS_PYTHON_IMAGE:-clas/python:3.11-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST_PYTHON=${HOST_PYTHON:-$([[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3)}
# docker-compose 1.29 builds through the engine's API (no buildx needed).
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
export CLAS_BASE_IMAGE=$BASE_IMAGE CLAS_PYTHON_IMAGE=$PYTHON_IMAGE

say() { printf '[compose-offline] %s\n' "$*"; }

compose() {
  [[ -f $ENV_FILE ]] || trial_settings
  docker-compose -p "$PROJECT" --env-file "$ENV_FILE" \
    -f docker-compose.yml -f docker-compose.offline.yml -f docker-compose.trial.yml "$@"
}

trial_settings() {
  mkdir -p "$TRIAL"
  umask 077
  cat >"$ENV_FILE" <<EOF
# Settings of the local trial (scripts/compose-offline.sh). Not for real users.
SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
POSTGRES_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
EMAIL_URL=smtp://mail:1025
HTTP_PORT=${HTTP_PORT:-8080}
HTTPS_PORT=${HTTPS_PORT:-8443}
ALLOWED_HOSTS=localhost
CSRF_TRUSTED_ORIGINS=https://localhost:${HTTPS_PORT:-8443}
WEB_REPLICAS=${WEB_REPLICAS:-3}
GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}
CLAS_BASE_IMAGE=$BASE_IMAGE
CLAS_PYTHON_IMAGE=$PYTHON_IMAGE
EOF
  say "réglages de l'essai écrits dans $ENV_FILE"
}

need_engine() {
  command -v docker-compose >/dev/null || { echo "docker-compose introuvable (paquet Debian docker-compose)." >&2; exit 1; }
  docker info >/dev/null 2>&1 || {
    echo "Pas de moteur Docker joignable. Démarrez-le (systemctl start docker, ou dockerd &) et relancez." >&2
    exit 1
  }
}

base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    say "image de base $BASE_IMAGE : déjà là"
    return
  fi
  if [[ $BASE_IMAGE != clas-base/debian:bookworm ]]; then
    say "image de base $BASE_IMAGE : docker pull"
    docker pull "$BASE_IMAGE"
    return
  fi
  if ! command -v debootstrap >/dev/null; then
    [[ $(id -u) -eq 0 ]] || { echo "debootstrap introuvable : installez le paquet debootstrap (root)." >&2; exit 1; }
    say "installation de debootstrap (apt)"
    apt-get install -y -qq debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  fi
  local root
  root=$(mktemp -d /tmp/clas-base.XXXXXX)
  say "debootstrap bookworm ($DEBIAN_MIRROR) dans $root : 2 à 5 min"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$DEBIAN_MIRROR" \
    >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
  cat >"$root/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root" "$root.log"
  say "image de base $BASE_IMAGE importée"
}

python_image() {
  say "image Python $PYTHON_IMAGE (paquets Debian python3, deploy/python.Dockerfile)"
  docker build -q -f deploy/python.Dockerfile --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    -t "$PYTHON_IMAGE" deploy >/dev/null
}

wheels() {
  say "roues Python dans deploy/wheels (pip wheel sur l'hôte, $HOST_PYTHON)"
  mkdir -p deploy/wheels
  # async-timeout: redis needs it below Python 3.11.3, as Debian's 3.11.2 is (the host's Python
  # may be newer and skip it). setuptools: to build the portal itself without an index.
  "$HOST_PYTHON" -m pip wheel --quiet --disable-pip-version-check --wheel-dir deploy/wheels \
    . 'setuptools>=77' wheel 'async-timeout>=4.0.3' 2> >(grep -v 'is ignored: it is neither' >&2)
  # The portal itself is built from the sources copied into the image, not from this wheel.
  rm -f deploy/wheels/clasportal-*.whl
  say "$(find deploy/wheels -name '*.whl' | wc -l) roues"
}

certificate() {
  [[ -s $TRIAL/tls/cert.pem ]] && return
  mkdir -p "$TRIAL/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TRIAL/tls/key.pem" -out "$TRIAL/tls/cert.pem" 2>/dev/null
  # nginx's master reads the key as root; the file stays out of the images (.dockerignore).
  chmod 644 "$TRIAL/tls/cert.pem"
  say "certificat auto-signé pour localhost dans $TRIAL/tls"
}

wait_healthy() {
  local deadline=$((SECONDS + ${1:-300})) waiting
  while ((SECONDS < deadline)); do
    waiting=$(docker ps --filter "label=com.docker.compose.project=$PROJECT" \
      --format '{{.Names}} {{.Status}}' | grep -E 'health: starting|unhealthy' || true)
    if [[ -z $waiting ]] && docker ps --filter "label=com.docker.compose.project=$PROJECT" \
      --format '{{.Status}}' | grep -q healthy; then
      return 0
    fi
    sleep 3
  done
  echo "Services pas tous sains après ${1:-300} s :" >&2
  echo "$waiting" >&2
  return 1
}

up() {
  need_engine
  [[ -f $ENV_FILE ]] || trial_settings
  certificate
  base_image
  python_image
  wheels
  say "construction des images (docker-compose build)"
  compose build -q
  say "démarrage (docker-compose up -d)"
  compose up -d --remove-orphans
  wait_healthy 300
  say "données de démonstration (seed_demo --if-empty)"
  # Tasks run in the seeding process (eager), where seed_demo's dummy e-mail backend applies:
  # queued to the real worker, its notifications would reach the SMTP server.
  compose run --rm -T -e DJANGO_SETTINGS_MODULE=clasportal.settings.dev \
    -e CELERY_TASK_ALWAYS_EAGER=true migrate python manage.py seed_demo --if-empty
  compose ps
  bash scripts/compose-smoke.sh
}

if [[ $# -eq 0 ]]; then
  up
  exit
fi
case "$1" in
  down) shift; need_engine; compose down --remove-orphans "$@" ;;
  smoke) shift; need_engine; bash scripts/compose-smoke.sh "$@" ;;
  *) need_engine; compose "$@" ;;
esac
