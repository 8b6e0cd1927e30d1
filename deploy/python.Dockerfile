# Python 3.11 from Debian bookworm's packages, shaped like the public python:3.11-slim image
# (python and pip first on the PATH, installs allowed): the base of the portal's image when Docker
# Hub is out of reach (docker-compose.offline.yml, scripts/compose-offline.sh).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/python
ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["python3"]
