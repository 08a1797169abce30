#!/usr/bin/env bash
# Smoke test of every entry point, run last by `npm test`:
#  1. `npm run start:stack` against a Kafka broker that has never run (a private instance with an
#     empty data directory, as on a new machine), then the README's walk-through: an event in
#     events:tail, the Redis value, the change in /api/v1/audit/route; then the consumer is killed
#     and the stack must say so and exit non-zero.
#  2. the built API and consumer (start:prod, start:consumer:prod) and `nest start --entryFile consumer`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
export DB_NAME="${TEST_DB_NAME:-traffic_manager_test}" LOG_LEVEL=WARNING KAFKA_CONSUMER_GROUP_PREFIX="smoke-$$" \
  MONGODB_DB="audit_smoke"
pids=()
# Each process runs in its own session (setsid), so its whole group (npm, nest CLI, node) is stopped.
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
fresh_kafka() { KAFKA_INSTANCE=smoke KAFKA_PORT=19292 KAFKA_CONTROLLER_PORT=19293 bash scripts/infra.sh "$@"; }
trap 'cleanup; fresh_kafka stop kafka >/dev/null 2>&1 || true' EXIT

fail() { echo "[smoke] FAILED: $*" >&2; exit 1; }
wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "$1 did not answer within $2 s"
}
eventually() { # seconds, command...
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do (($(date +%s) < deadline)) || return 1; sleep 0.5; done
}

# --- 1. start:stack on a broker that has never run --------------------------------------------------
fresh_kafka stop kafka >/dev/null
rm -rf .tmp/kafka-smoke
api=http://127.0.0.1:18100
# The bootstrap admin key the API runs with: the development key unless one is configured.
auth="Authorization: Bearer ${AUTH_BOOTSTRAP_ADMIN_KEY:-tm-dev-admin-key}"
tenant="smoke-$$"
stack_log=.tmp/smoke-stack.log
(
  export KAFKA_INSTANCE=smoke KAFKA_PORT=19292 KAFKA_CONTROLLER_PORT=19293 KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19292 \
    API_PORT=18100 CONSUMER_PORT=18101
  exec setsid npm run --silent start:stack >"$stack_log" 2>&1
) &
stack=$!
pids+=("$stack")
eventually 300 grep -q '\[stack\] UP after' "$stack_log" || { tail -n 40 "$stack_log" >&2; fail "start:stack did not report UP"; }
echo "[smoke] start:stack is up on a fresh Kafka ($(grep -o 'UP after [0-9]* s' "$stack_log"))" >&2

tail_out=.tmp/smoke-tail.out
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19292 node scripts/tail-events.js --max 1 >"$tail_out" 2>.tmp/smoke-tail.err &
tail_pid=$!
eventually 30 grep -q tailing .tmp/smoke-tail.err || fail "events:tail did not start"
sleep 1 # the tail's group joins right after it says "tailing"; README's walk-through waits 3 s
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/api/v1/routes" -H "$auth" -H 'Content-Type: application/json' \
  -H 'X-Correlation-ID: smoke-walk-1' \
  -d "{\"tenant\":\"$tenant\",\"service\":\"payments\",\"env\":\"prod\",\"version\":\"v2\",\"url\":\"https://payments-v2b.internal.example.com\"}")
[[ "$status" == 201 ]] || fail "create answered $status"
eventually 30 bash -c "! kill -0 $tail_pid 2>/dev/null" || fail "events:tail printed no event"
grep -q "\"tenant\":\"$tenant\"" "$tail_out" || fail "events:tail printed another event: $(cat "$tail_out")"
eventually 30 bash -c "redis-cli get tm:v1:route:$tenant:payments:prod:v2 | grep -q 'payments-v2b'" || fail "no Redis value for the route"
audit() { curl -s -H "$auth" "$api/api/v1/audit/route?tenant=$tenant&service=payments&env=prod&version=v2" | grep -q '"correlation_id":"smoke-walk-1"'; }
eventually 60 audit || fail "the change did not reach /api/v1/audit/route"
processed=$(curl -s http://127.0.0.1:18101/metrics | grep -c '^consumer_events_processed_total{group="[a-z_]*"} [1-9]' || true)
groups=$(node -e "console.log(require('./dist/src/contracts/consumer-group-names').CONSUMER_GROUP_NAMES.length)")
[[ "$processed" == "$groups" ]] || fail "not every consumer group processed the event ($processed of $groups)"
echo "[smoke] walk-through: event in events:tail, Redis value, audit entry, $groups groups processed" >&2

consumer_pid=$(grep -o 'consumer started (pid [0-9]*' "$stack_log" | grep -o '[0-9]*$')
kill -KILL "$consumer_pid"
eventually 30 bash -c "! kill -0 $stack 2>/dev/null" || fail "start:stack kept running after its consumer died"
set +e
wait "$stack"
code=$?
set -e
[[ "$code" != 0 ]] || fail "start:stack exited 0 after its consumer died"
grep -q 'THE CONSUMER PROCESS EXITED' "$stack_log" || fail "start:stack did not say that the consumer died"
echo "[smoke] start:stack reports a dead consumer loudly and exits $code" >&2
pids=()
fresh_kafka stop kafka >/dev/null
rm -rf .tmp/kafka-smoke

# --- 2. each entry point on its own -------------------------------------------------------------------
export KAFKA_ROUTE_EVENTS_TOPIC=route-events-e2e MONGODB_DB=audit_e2e
npm run --silent build
API_PORT=18100 setsid node --max-semi-space-size=16 --max-old-space-size=256 dist/src/main.js >.tmp/smoke-api.log 2>&1 &
pids+=($!)
CONSUMER_PORT=18101 setsid node --max-semi-space-size=16 --max-old-space-size=256 dist/src/consumer.js >.tmp/smoke-consumer.log 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:18100/health/ready 60
wait_for http://127.0.0.1:18101/health/ready 60
echo "[smoke] built API (start:prod) and consumer (start:consumer:prod) are ready" >&2
cleanup

CONSUMER_PORT=18102 setsid npx nest start --entryFile consumer >.tmp/smoke-nest-consumer.log 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:18102/health/ready 120
echo "[smoke] nest start --entryFile consumer is ready" >&2
echo "smoke: 4 passed, 0 failed"
