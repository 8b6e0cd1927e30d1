# Redis 7 from Debian bookworm's redis-server, run as redis:7 is (docker-compose.offline.yml):
# data in /data, "redis-server ARGS" as the command, reachable from the other containers.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown redis:redis /data
COPY redis-entrypoint.sh /usr/local/bin/redis-entrypoint.sh
WORKDIR /data
VOLUME /data
EXPOSE 6379
ENTRYPOINT ["sh", "/usr/local/bin/redis-entrypoint.sh"]
CMD ["redis-server"]
