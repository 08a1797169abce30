#!/usr/bin/env bash
# Runs the whole service on this machine: infrastructure (PostgreSQL, Redis, Kafka, MongoDB wire
# server), migrations, a production build, then the consumer process and the API. It reports the
# stack as up only once both answer /health/ready, and stops everything, loudly, if either process
# dies. Ctrl-C stops both processes; `npm run infra:down` stops Kafka and MongoDB.
#
# Environment (also read from ./.env): API_PORT (8000), CONSUMER_PORT (8001),
# STACK_READY_TIMEOUT seconds to wait for readiness (180), plus every setting in .env.example.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f .env ]]; then
  set -a
  # shellcheck disable=SC1091
  . ./.env
  set +a
fi
API_PORT="${API_PORT:-8000}"
CONSUMER_PORT="${CONSUMER_PORT:-8001}"
READY_TIMEOUT="${STACK_READY_TIMEOUT:-180}"
CONSUMER_LOG=.tmp/consumer.log

say() { printf '[stack] %s\n' "$*" >&2; }
shout() {
  printf '\n[stack] ##########################################################################\n' >&2
  printf '[stack] ## %s\n' "$@" >&2
  printf '[stack] ##########################################################################\n\n' >&2
}

port_free() { ! timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }
for port in "$API_PORT" "$CONSUMER_PORT"; do
  port_free "$port" || { shout "port $port is already in use (another stack still running?)"; exit 1; }
done

bash scripts/infra.sh up
npm run --silent migration:run
npm run --silent build
mkdir -p .tmp

consumer=""
api=""
stop_all() {
  trap - EXIT INT TERM
  for pid in $api $consumer; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $api $consumer; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'say "stopping"; stop_all; exit 130' INT TERM

node --max-semi-space-size=16 --max-old-space-size=256 dist/src/consumer.js >>"$CONSUMER_LOG" 2>&1 &
consumer=$!
say "consumer started (pid $consumer, logs in $CONSUMER_LOG, health on :$CONSUMER_PORT)"
node --max-semi-space-size=16 --max-old-space-size=256 dist/src/main.js &
api=$!
say "API started (pid $api, on :$API_PORT)"

consumer_died() {
  shout "THE CONSUMER PROCESS EXITED: no cache invalidation, no cache warming, no audit." \
    "Last lines of $CONSUMER_LOG:"
  tail -n 30 "$CONSUMER_LOG" >&2 || true
  shout "Stopping the stack. Fix the cause above and run npm run start:stack again."
}

ready() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

started=$(date +%s)
last_note=0
until ready "http://127.0.0.1:$API_PORT/health/ready" && ready "http://127.0.0.1:$CONSUMER_PORT/health/ready"; do
  if ! kill -0 "$consumer" 2>/dev/null; then consumer_died; exit 1; fi
  if ! kill -0 "$api" 2>/dev/null; then shout "THE API PROCESS EXITED before it became ready (see its output above)."; exit 1; fi
  elapsed=$(($(date +%s) - started))
  if ((elapsed >= READY_TIMEOUT)); then
    shout "NOT READY after ${READY_TIMEOUT} s. What the processes are waiting for:"
    curl -sS --max-time 3 "http://127.0.0.1:$API_PORT/health/ready" >&2 || true
    echo >&2
    curl -sS --max-time 3 "http://127.0.0.1:$CONSUMER_PORT/health/ready" >&2 || true
    echo >&2
    exit 1
  fi
  if ((elapsed - last_note >= 10)); then
    last_note=$elapsed
    say "waiting for readiness (${elapsed} s): API :$API_PORT and consumer :$CONSUMER_PORT /health/ready"
  fi
  sleep 0.5
done

say "UP after $(($(date +%s) - started)) s: API on http://127.0.0.1:$API_PORT (Swagger UI at /docs), consumer ready (health on :$CONSUMER_PORT). Ctrl-C stops both."
# Every /api/v1 call needs a key; say which one works (README, "Authentication and tenancy").
if [[ "${ENVIRONMENT:-development}" == development && -z "${AUTH_BOOTSTRAP_ADMIN_KEY:-}" ]]; then
  say "API key (development only): -H 'Authorization: Bearer tm-dev-admin-key'"
else
  say "API key: the AUTH_BOOTSTRAP_ADMIN_KEY it was started with, or one created with it (POST /api/v1/keys)"
fi

# Whichever process ends first ends the stack, with a message saying which.
set +e
wait -n "$api" "$consumer"
set -e
if ! kill -0 "$consumer" 2>/dev/null; then
  consumer_died
  exit 1
fi
shout "THE API PROCESS EXITED (see its output above). Stopping the consumer."
exit 1
