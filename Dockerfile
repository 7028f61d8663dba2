# Shortlist's image: `docker build -t sre-app .` then `docker run -p 8080:8080 sre-app` (the web UI),
# or `docker compose up --build` for web, watcher, Prometheus, Grafana, blackbox and autoheal.
# The project installs from pyproject.toml as `make run` does (there editable, here not).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SHORTLIST_HOME=/app \
    SHORTLIST_STORE=/data/store \
    SHORTLIST_INBOX=/data/inbox \
    SHORTLIST_HOST=0.0.0.0 \
    SHORTLIST_PORT=8080 \
    SHORTLIST_METRICS_HOST=0.0.0.0 \
    SHORTLIST_METRICS_PORT=9101

WORKDIR /app
COPY pyproject.toml ./
COPY pipeline ./pipeline
COPY store ./store
COPY ui ./ui
COPY chaos ./chaos
COPY observability ./observability
COPY skills ./skills
RUN pip install . \
 && useradd --system --uid 10001 --no-create-home --home-dir /app shortlist \
 && mkdir -p /data/store/logs /data/inbox/resumes /data/inbox/jobs /data/inbox/failed \
 && chown -R shortlist /data

# Named volumes mounted here start as copies of these folders, owned by shortlist.
USER shortlist
EXPOSE 8080 9101

HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SHORTLIST_PORT', '8080'), timeout=2)"]

CMD ["python", "-m", "ui"]
