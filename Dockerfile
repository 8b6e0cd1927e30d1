# Production image: gunicorn serves Django, whitenoise serves the static files; nginx in front
# (docker-compose.yml) keeps the access log, so gunicorn keeps none.
# PYTHON_IMAGE: the public Python image by default; docker-compose.offline.yml builds on a local
# Debian bookworm Python instead (deploy/python.Dockerfile, no Docker Hub needed).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}
# "--no-index" when the packages come only from deploy/wheels (built on the host by
# scripts/compose-offline.sh with pip wheel); empty: PyPI, deploy/wheels used when filled.
ARG PIP_INSTALL_OPTIONS=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=clasportal.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY clasportal clasportal
COPY projects projects
COPY funding funding
COPY declarations declarations
COPY committee committee
COPY deploy/wheels /tmp/wheels
RUN pip install --no-cache-dir --find-links /tmp/wheels ${PIP_INSTALL_OPTIONS} . && rm -rf /tmp/wheels build
COPY . .
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.db EMAIL_URL=smtp://build-only:25 \
    python manage.py collectstatic --noinput
# The static volume (docker-compose.yml) starts as a copy of /app/staticfiles, owner included: the
# migrate service, running as clas, collects into it again at each start.
RUN useradd --system --uid 1000 clas && mkdir -p /data/private_media \
    && chown clas /data/private_media && chown -R clas /app/staticfiles
USER clas
EXPOSE 8000
CMD ["gunicorn", "clasportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
