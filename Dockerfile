# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server.py ./
COPY schema ./schema
COPY resolvers ./resolvers
COPY models ./models
COPY migrations ./migrations
RUN python -m venv /venv && /venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production
RUN useradd --system --uid 10001 --user-group --home-dir /app gigstream
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=10001:10001 . /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["python", "server.py", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
