# Production image: gunicorn serves Django, whitenoise serves the static files; nginx in front
# (docker-compose.yml) keeps the access log, so gunicorn keeps none.
FROM python:3.11-slim-bookworm
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
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.db EMAIL_URL=smtp://build-only:25 \
    python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 clas && mkdir -p /data/private_media && chown clas /data/private_media
USER clas
EXPOSE 8000
CMD ["gunicorn", "clasportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
