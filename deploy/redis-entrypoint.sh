#!/bin/sh
# As the public redis image does: without a configuration file, Redis listens on every address
# of the container (the compose network only; no port published) and protected mode is off,
# otherwise it refuses the web and worker containers. Runs as the redis user.
set -e
if [ "${1:-}" = "redis-server" ]; then
  shift
  set -- redis-server --bind 0.0.0.0 --protected-mode no --dir /data "$@"
fi
chown -R redis:redis /data
exec setpriv --reuid=redis --regid=redis --init-groups "$@"
