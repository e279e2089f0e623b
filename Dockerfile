# syntax=docker/dockerfile:1
# One image for the web server (gunicorn), the Celery worker and Celery beat.
# Build:  docker build -t school-lending-portal .
# Run:    see docker-compose.yml (the services override CMD for migrate, worker and beat).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF loan agreements) loads Pango and HarfBuzz at runtime; DejaVu gives it fonts.
# libharfbuzz0b and libfontconfig1 come in as dependencies of libpango.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# The application runs as an unprivileged user; the code itself stays owned by root (read-only).
# A writable home: recent gunicorn releases put a control socket in ~/.gunicorn.
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, from the lock alone (exact versions, hashes checked), so code changes do
# not reinstall them. The same lock `make` installs from (requirements/test.txt adds the test tools).
COPY requirements/base.txt /tmp/requirements.txt
RUN pip install --require-hashes -r /tmp/requirements.txt && rm /tmp/requirements.txt

COPY . /app

ENV DEBUG=false \
    WEB_CONCURRENCY=3

# Fail the build if WeasyPrint cannot load its libraries, then collect static files
# (whitenoise's compressed manifest storage, as DEBUG=false selects). The SECRET_KEY here
# exists only for this build step and is never used at runtime.
RUN SECRET_KEY=build-time-only-dummy-secret-key-not-used-at-runtime \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py check_system_libraries \
 && SECRET_KEY=build-time-only-dummy-secret-key-not-used-at-runtime \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3

# Writable locations for the unprivileged user. Named volumes mounted here start with this
# ownership: media (PDFs written by the worker, served by web) and the beat schedule.
RUN mkdir -p /app/media /app/var/beat \
 && chown portal:portal /app/media /app/var/beat

USER portal

EXPOSE 8000

# Processes, threads and time limits: config/gunicorn.py (WEB_CONCURRENCY, WEB_THREADS).
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
