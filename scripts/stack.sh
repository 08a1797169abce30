#!/usr/bin/env bash
# Runs the whole service on this machine: infrastructure (PostgreSQL, Redis, Kafka, MongoDB wire
# server), migrations, a production build, the consumer process in the background and the API in
# the foreground. Ctrl-C stops both processes; `npm run infra:down` stops Kafka and MongoDB.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/infra.sh up
npm run --silent migration:run
npm run --silent build
mkdir -p .tmp
node dist/src/consumer.js >> .tmp/consumer.log 2>&1 &
consumer=$!
trap 'kill "$consumer" 2>/dev/null || true; wait "$consumer" 2>/dev/null || true' EXIT
echo "[stack] consumer running (pid $consumer, logs in .tmp/consumer.log, health on :${CONSUMER_PORT:-8001})" >&2
echo "[stack] API on http://127.0.0.1:${API_PORT:-8000} (Swagger UI at /docs)" >&2
node dist/src/main.js
