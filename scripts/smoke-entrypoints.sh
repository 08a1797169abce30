#!/usr/bin/env bash
# Starts each entry point the way the README says (built and `nest start` variants), checks that
# it answers its health probe, and stops it. Needs the infrastructure up (npm run infra:up).
set -euo pipefail
cd "$(dirname "$0")/.."
export DB_NAME="${TEST_DB_NAME:-traffic_manager_test}" LOG_LEVEL=WARNING KAFKA_CONSUMER_GROUP_PREFIX="smoke-$$" \
  KAFKA_ROUTE_EVENTS_TOPIC=route-events-e2e MONGODB_DB=audit_e2e
pids=()
# Each process runs in its own session (setsid), so its whole group (nest CLI + node child) is stopped.
cleanup() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "[smoke] FAILED: $1 did not answer within $2 s" >&2; return 1
}

npm run --silent build
API_PORT=18100 setsid node dist/src/main.js > .tmp/smoke-api.log 2>&1 & pids+=($!)
CONSUMER_PORT=18101 setsid node dist/src/consumer.js > .tmp/smoke-consumer.log 2>&1 & pids+=($!)
wait_for http://127.0.0.1:18100/health/ready 60
wait_for http://127.0.0.1:18101/health/ready 60
echo "[smoke] built API (start:prod) and consumer (start:consumer:prod) are ready" >&2
cleanup; pids=()

CONSUMER_PORT=18102 setsid npx nest start --entryFile consumer > .tmp/smoke-nest-consumer.log 2>&1 & pids+=($!)
wait_for http://127.0.0.1:18102/health/ready 120
echo "[smoke] nest start --entryFile consumer is ready" >&2
echo "smoke: 3 passed, 0 failed"
