#!/usr/bin/env bash
# Local infrastructure for Traffic Manager: PostgreSQL, Redis, Apache Kafka and a MongoDB wire-protocol server.
#
# Usage:
#   bash scripts/infra.sh up     [services...]   start what is not running (default: all) and wait until ready
#   bash scripts/infra.sh down   [services...]   stop kafka and mongo (postgres/redis are never stopped, see below)
#   bash scripts/infra.sh start  <service>       same as `up <service>`
#   bash scripts/infra.sh stop   <service>       stop one service (kafka or mongo), e.g. to simulate an outage
#   bash scripts/infra.sh status                 one line per service
# Services: postgres redis kafka mongo
#
# Two paths:
#   * Docker engine answers (`docker info`): `up` = `docker compose up -d --wait`, `down` = `docker compose down`,
#     using docker-compose.yml at the repo root (real postgres:16, redis:7, apache/kafka:3.9.1, mongo:7).
#   * Otherwise (this project's CI/dev machines): native processes.
#       postgres, redis  the machine's own services (started if down; never stopped by this script)
#       kafka            Apache Kafka 3.9 (KRaft, single node) from Maven Central jars, infra/kafka/
#       mongo            mongo-java-server 1.47 (H2 file backend) via infra/mongo/MongoLauncher.java
#     Jars are fetched once with Maven into infra/*/target/libs (downloads cached in ~/.m2).
#     Runtime state lives in <repo>/.tmp/: kafka.pid kafka.log kafka-data/ mongo.pid mongo.log mongo-data/
#     Kafka and mongo keep their data across stop/start; `rm -rf .tmp` (with both stopped) for a clean slate.
#
# Environment:
#   INFRA_MODE=auto|docker|native   force a path (default auto)
#   DB_USER / DB_PASSWORD / DB_NAME  role, password and database to ensure (default traffic_manager for all three);
#                                    ${DB_NAME}_test is created too
#   KAFKA_HEAP_OPTS                  default "-Xms256m -Xmx512m"
#   MONGO_HEAP_OPTS                  default "-Xms64m -Xmx256m"
#   MONGO_BACKEND=h2|memory          default h2 (persistent file .tmp/mongo-data/mongo.mv)
#   INFRA_MVN_ARGS                   extra Maven arguments, e.g. "-o" or "-Dmaven.repo.local=/path"
#   KAFKA_READY_TIMEOUT / MONGO_READY_TIMEOUT   seconds (default 90 / 60)
#   KAFKA_INSTANCE                   name of a second, private broker (native path only), e.g. for tests that
#                                    need an empty broker started at a chosen moment; its state lives in
#                                    .tmp/kafka-<name>/ and it listens on KAFKA_PORT / KAFKA_CONTROLLER_PORT
#   KAFKA_PORT / KAFKA_CONTROLLER_PORT  listener ports (default 9092 / 9093)
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd)"
TMP_DIR="$ROOT/.tmp"
ALL_SERVICES=(postgres redis kafka mongo)

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
MONGO_HOST=127.0.0.1
MONGO_PORT=27017

KAFKA_DIR="$ROOT/infra/kafka"
KAFKA_LIBS="$KAFKA_DIR/target/libs"
if [[ -n "${KAFKA_INSTANCE:-}" ]]; then
  [[ "$KAFKA_INSTANCE" =~ ^[a-z0-9-]{1,40}$ ]] || { echo "[infra] ERROR: KAFKA_INSTANCE must be 1-40 of a-z 0-9 -" >&2; exit 1; }
  KAFKA_STATE="$TMP_DIR/kafka-$KAFKA_INSTANCE"
  KAFKA_DATA="$KAFKA_STATE/data"
else
  KAFKA_STATE="$TMP_DIR"
  KAFKA_DATA="$TMP_DIR/kafka-data"
fi
KAFKA_PID="$KAFKA_STATE/kafka.pid"
KAFKA_LOG="$KAFKA_STATE/kafka.log"
KAFKA_CLUSTER_ID_FILE="$KAFKA_STATE/kafka-cluster-id"
KAFKA_FORMAT_PROPS="$KAFKA_STATE/kafka-format.properties"
KAFKA_LISTENERS="PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT"
# Distinctive part of our broker's command line (its data directory), used to recognise it when the
# pid file is stale; the generic marker names the port, so "another checkout's broker on this port"
# never matches a broker on another port.
KAFKA_MARKER="kafka.Kafka $KAFKA_DIR/server.properties --override log.dirs=$KAFKA_DATA "
KAFKA_PORT_MARKER="--override listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,"

MONGO_DIR="$ROOT/infra/mongo"
MONGO_LIBS="$MONGO_DIR/target/libs"
MONGO_DATA="$TMP_DIR/mongo-data"
MONGO_PID="$TMP_DIR/mongo.pid"
MONGO_LOG="$TMP_DIR/mongo.log"
MONGO_MARKER="-cp $MONGO_LIBS/* $MONGO_DIR/MongoLauncher.java"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------------------------
# helpers

# port_open HOST PORT: true if a TCP connection succeeds (bash /dev/tcp; no nc needed).
port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

now() { date +%s; }

# is_ours PID MARKER: the process exists and its command line contains MARKER.
is_ours() {
  local pid="$1" marker="$2" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$marker"* ]]
}

# has_exited PID MARKER: our process is gone. A single failed is_ours is not proof: while a process execs
# (setsid -> nohup -> java, and the java launcher may exec itself again) /proc/PID/cmdline can briefly
# read empty, and on a busy first run that once made a starting broker look dead. So: gone when kill -0
# fails, or when the marker is missing on three reads 0.2 s apart.
has_exited() {
  local pid="$1" marker="$2" i
  for ((i = 0; i < 3; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    is_ours "$pid" "$marker" && return 1
    sleep 0.2
  done
  return 0
}

# find_pid PIDFILE MARKER: print the pid of our process (from the pid file, or by scanning /proc if stale).
find_pid() {
  local pidfile="$1" marker="$2" pid p
  if [[ -f "$pidfile" ]]; then
    pid="$(tr -dc '0-9' <"$pidfile")"
    if is_ours "$pid" "$marker"; then
      echo "$pid"
      return 0
    fi
  fi
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    [[ "$pid" == "$$" ]] && continue
    if is_ours "$pid" "$marker"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# stop_process NAME PIDFILE MARKER: SIGTERM, wait up to 20 s, then SIGKILL.
stop_process() {
  local name="$1" pidfile="$2" marker="$3" pid i
  if ! pid="$(find_pid "$pidfile" "$marker")"; then
    rm -f "$pidfile"
    log "$name: not running (no process of ours)"
    return 0
  fi
  log "$name: stopping pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 80; i++)); do
    is_ours "$pid" "$marker" || break
    sleep 0.25
  done
  if is_ours "$pid" "$marker"; then
    log "$name: still running after 20 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
      is_ours "$pid" "$marker" || break
      sleep 0.25
    done
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

# stop_service NAME PIDFILE MARKER GENERIC_MARKER HOST PORT: stop our process; if the port is still
# served by this project's server started from another checkout (e.g. a CI clone), stop that one
# too, so "stop" really means the service is down. Anything else on the port is an error.
stop_service() {
  local name="$1" pidfile="$2" marker="$3" generic="$4" host="$5" port="$6" other
  stop_process "$name" "$pidfile" "$marker"
  port_open "$host" "$port" || return 0
  if other="$(find_pid /nonexistent "$generic")"; then
    log "$name: port $port is served by another checkout's $name (pid $other); stopping it"
    stop_process "$name" /nonexistent "$generic"
  fi
  if port_open "$host" "$port"; then
    die "$name: $host:$port still accepts connections (not a process of this project); stop it yourself"
  fi
}

# take_over NAME MARKER GENERIC_MARKER HOST PORT: if the port is served by this project's server
# started from ANOTHER checkout (a CI clone, a second working copy), stop it so this checkout runs its
# own: its data and its stop/start (outage tests) then belong together. A foreign server on the port
# (e.g. a real broker or mongod) is left alone and used.
take_over() {
  local name="$1" marker="$2" generic="$3" host="$4" port="$5" other
  port_open "$host" "$port" || return 0
  find_pid /nonexistent "$marker" >/dev/null && return 0
  if other="$(find_pid /nonexistent "$generic")"; then
    log "$name: port $port is served by another checkout's $name (pid $other); replacing it with this checkout's"
    stop_process "$name" /nonexistent "$generic"
  fi
}

# ensure_libs NAME DIR: Maven copy-dependencies into DIR/target/libs unless already done for this pom.xml.
ensure_libs() {
  local name="$1" dir="$2" libs="$2/target/libs" stamp want t0
  stamp="$libs/.pom.sha1"
  want="$(sha1sum "$dir/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "$name: mvn not found (needed once to fetch the jars)"
  command -v java >/dev/null 2>&1 || die "$name: java not found"
  log "$name: fetching jars with Maven into ${libs#"$ROOT"/} (first run only)"
  t0="$(now)"
  rm -rf "$libs"
  mkdir -p "$TMP_DIR"
  # shellcheck disable=SC2086  # INFRA_MVN_ARGS is a list of words on purpose
  if ! mvn -B -q ${INFRA_MVN_ARGS:-} -f "$dir/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" </dev/null >"$TMP_DIR/mvn-$name.log" 2>&1; then
    tail -n 40 "$TMP_DIR/mvn-$name.log" >&2 || true
    die "$name: Maven dependency download failed (full output: ${TMP_DIR#"$ROOT"/}/mvn-$name.log)"
  fi
  echo "$want" >"$stamp"
  log "$name: jars ready ($(find "$libs" -name '*.jar' | wc -l) jars, $(($(now) - t0)) s)"
}

# spawn LOGFILE PIDFILE MARKER CMD...: start CMD detached (own session, immune to SIGHUP, no stdin), cwd = repo
# root, and wait until the child has exec'ed into CMD (so that is_ours PID MARKER is meaningful afterwards).
spawn() {
  local logfile="$1" pidfile="$2" marker="$3" pid i
  shift 3
  if [[ -f "$logfile" ]]; then
    mv -f "$logfile" "$logfile.1"
  fi
  # In a non-interactive shell a background job is not a process-group leader, so setsid and nohup exec
  # in place and $! is the java pid itself.
  # 9>&-: do not hand the lock fd (see main) to the long-lived child.
  (cd "$ROOT" && exec setsid nohup "$@" </dev/null >"$logfile" 2>&1 9>&-) &
  pid=$!
  echo "$pid" >"$pidfile"
  for ((i = 0; i < 100; i++)); do
    is_ours "$pid" "$marker" && return 0
    kill -0 "$pid" 2>/dev/null || return 0 # exited already; the caller reports it
    sleep 0.05
  done
}

# ---------------------------------------------------------------------------------------------------------------
# docker path

docker_available() {
  [[ "${INFRA_MODE:-auto}" == native ]] && return 1
  [[ "${INFRA_MODE:-auto}" == docker ]] && return 0
  command -v docker >/dev/null 2>&1 || return 1
  timeout 5 docker info >/dev/null 2>&1
}

compose() {
  docker compose -f "$ROOT/docker-compose.yml" --project-directory "$ROOT" "$@"
}

docker_main() {
  local cmd="$1"
  shift
  case "$cmd" in
    up | start)
      log "docker: docker compose up -d --wait $*"
      compose up -d --wait "$@"
      ;;
    down)
      if (($# == 0)); then
        log "docker: docker compose down"
        compose down
      else
        log "docker: docker compose stop $*"
        compose stop "$@"
      fi
      ;;
    stop)
      log "docker: docker compose stop $*"
      compose stop "$@"
      ;;
    status)
      compose ps
      ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------------
# postgres (the machine's PostgreSQL; `down` never stops it)

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }

up_postgres() {
  local i ver
  command -v pg_isready >/dev/null 2>&1 || die "postgres: pg_isready not found (install postgresql-client)"
  if pg_ready; then
    log "postgres: already running on $PG_HOST:$PG_PORT"
  else
    command -v pg_ctlcluster >/dev/null 2>&1 || die "postgres: not running and pg_ctlcluster not found"
    ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$ver" ]] || die "postgres: no cluster under /etc/postgresql"
    log "postgres: starting cluster $ver/main"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null >&2 9>&- || true
    for ((i = 0; i < 60; i++)); do
      pg_ready && break
      sleep 0.5
    done
    pg_ready || die "postgres: not ready on $PG_HOST:$PG_PORT after 30 s"
    log "postgres: ready"
  fi

  local user="${DB_USER:-traffic_manager}" pass="${DB_PASSWORD:-traffic_manager}" db="${DB_NAME:-traffic_manager}"
  log "postgres: ensuring role '$user' and databases '$db', '${db}_test'"
  # \gexec runs the generated statements; CREATE DATABASE cannot run inside DO/transaction blocks.
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -X -q -v ON_ERROR_STOP=1 \
    -v user="$user" -v pass="$pass" -v db="$db" -v testdb="${db}_test" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'pass')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'user', :'pass') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, :'user')
  FROM unnest(ARRAY[:'db', :'testdb']) AS d
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', d, :'user')
  FROM unnest(ARRAY[:'db', :'testdb']) AS d \gexec
SQL
}

status_postgres() {
  if pg_ready; then echo "postgres  up    $PG_HOST:$PG_PORT"; else echo "postgres  down  $PG_HOST:$PG_PORT"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# redis (the machine's Redis; `down` never stops it)

redis_ready() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

up_redis() {
  local i
  command -v redis-cli >/dev/null 2>&1 || die "redis: redis-cli not found (install redis-tools)"
  if redis_ready; then
    log "redis: already running on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis: not running and redis-server not found"
  log "redis: starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log </dev/null >&2 9>&-
  for ((i = 0; i < 60; i++)); do
    redis_ready && break
    sleep 0.25
  done
  redis_ready || die "redis: no PONG from $REDIS_HOST:$REDIS_PORT after 15 s (see /var/log/redis/ci.log)"
  log "redis: ready"
}

status_redis() {
  if redis_ready; then echo "redis     up    $REDIS_HOST:$REDIS_PORT"; else echo "redis     down  $REDIS_HOST:$REDIS_PORT"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# kafka (Apache Kafka 3.9, KRaft combined broker+controller, from infra/kafka)

kafka_java_opts() {
  # shellcheck disable=SC2206
  KAFKA_JAVA=(java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -Djava.awt.headless=true -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties"
    -cp "$KAFKA_LIBS/*")
}

# A Kafka cluster id is 16 random bytes in URL-safe base64 without padding (22 chars), like
# `kafka-storage random-uuid`, which also avoids a leading '-'. Done in bash to save a JVM start.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
    [[ "$id" =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$ ]] && break
  done
  echo "$id"
}

# Listener overrides, always passed (also for the default ports), so the command line names the port.
kafka_overrides() {
  printf -- '--override\nlisteners=%s\n' "$KAFKA_LISTENERS"
  printf -- '--override\nadvertised.listeners=PLAINTEXT://%s:%s\n' "$KAFKA_HOST" "$KAFKA_PORT"
  printf -- '--override\ncontroller.quorum.voters=1@%s:%s\n' "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"
}

up_kafka() {
  local pid t0 timeout="${KAFKA_READY_TIMEOUT:-90}" cluster_id
  take_over kafka "$KAFKA_MARKER" "$KAFKA_PORT_MARKER" "$KAFKA_HOST" "$KAFKA_PORT"
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    log "kafka: already accepting connections on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  if pid="$(find_pid "$KAFKA_PID" "$KAFKA_MARKER")"; then
    # Our broker is alive but not (yet) listening: starting or shutting down. Do not start a second one.
    log "kafka: our broker (pid $pid) is running but not listening yet; waiting for it"
    echo "$pid" >"$KAFKA_PID"
    wait_kafka "$pid" "$timeout" "$(now)"
    return 0
  fi
  command -v java >/dev/null 2>&1 || die "kafka: java not found"
  mkdir -p "$TMP_DIR" "$KAFKA_STATE" "$KAFKA_DATA"
  ensure_libs kafka "$KAFKA_DIR"
  kafka_java_opts

  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    log "kafka: storage already formatted (${KAFKA_DATA#"$ROOT"/}), keeping data"
  else
    if [[ -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
      cluster_id="$(cat "$KAFKA_CLUSTER_ID_FILE")"
    else
      cluster_id="$(new_cluster_id)"
      echo "$cluster_id" >"$KAFKA_CLUSTER_ID_FILE"
    fi
    { cat "$KAFKA_DIR/server.properties"; printf '\nlog.dirs=%s\n' "$KAFKA_DATA"; kafka_overrides | sed -n 's/^--override$//;/=/p'; } >"$KAFKA_FORMAT_PROPS"
    log "kafka: formatting storage (cluster id $cluster_id)"
    if ! "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_FORMAT_PROPS" \
      --ignore-formatted </dev/null >>"$TMP_DIR/kafka-format.log" 2>&1; then
      tail -n 20 "$TMP_DIR/kafka-format.log" >&2 || true
      die "kafka: storage format failed"
    fi
  fi

  log "kafka: starting broker on $KAFKA_HOST:$KAFKA_PORT (log: ${KAFKA_LOG#"$ROOT"/})"
  t0="$(now)"
  # shellcheck disable=SC2046  # one override per line, no spaces inside
  spawn "$KAFKA_LOG" "$KAFKA_PID" "$KAFKA_MARKER" "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" \
    --override "log.dirs=$KAFKA_DATA" $(kafka_overrides)
  wait_kafka "$(cat "$KAFKA_PID")" "$timeout" "$t0"
}

wait_kafka() {
  local pid="$1" timeout="$2" t0="$3"
  while :; do
    if has_exited "$pid" "$KAFKA_MARKER"; then
      log "kafka: broker process $pid exited; last lines of ${KAFKA_LOG#"$ROOT"/}:"
      tail -n 40 "$KAFKA_LOG" >&2 || true
      rm -f "$KAFKA_PID"
      die "kafka: failed to start"
    fi
    if grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null && port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      log "kafka: ready on $KAFKA_HOST:$KAFKA_PORT after $(($(now) - t0)) s (pid $pid)"
      return 0
    fi
    if (($(now) - t0 >= timeout)); then
      log "kafka: not ready after $timeout s; last lines of ${KAFKA_LOG#"$ROOT"/}:"
      tail -n 40 "$KAFKA_LOG" >&2 || true
      die "kafka: readiness timeout (broker pid $pid left running; stop it with: bash scripts/infra.sh stop kafka)"
    fi
    sleep 0.5
  done
}

stop_kafka() { stop_service kafka "$KAFKA_PID" "$KAFKA_MARKER" "$KAFKA_PORT_MARKER" "$KAFKA_HOST" "$KAFKA_PORT"; }

status_kafka() {
  local pid state="down" owner=""
  port_open "$KAFKA_HOST" "$KAFKA_PORT" && state="up"
  if pid="$(find_pid "$KAFKA_PID" "$KAFKA_MARKER")"; then
    owner="pid $pid, rss $(rss_mb "$pid") MB, data ${KAFKA_DATA#"$ROOT"/}"
  elif [[ "$state" == up ]]; then
    owner="not started by this script"
  fi
  printf 'kafka     %-5s %s:%s%s\n' "$state" "$KAFKA_HOST" "$KAFKA_PORT" "${owner:+  ($owner)}"
}

# ---------------------------------------------------------------------------------------------------------------
# mongo (mongo-java-server via infra/mongo/MongoLauncher.java, Java source-file mode)

up_mongo() {
  local pid t0 timeout="${MONGO_READY_TIMEOUT:-60}"
  take_over mongo "$MONGO_MARKER" "MongoLauncher.java" "$MONGO_HOST" "$MONGO_PORT"
  if port_open "$MONGO_HOST" "$MONGO_PORT"; then
    log "mongo: already accepting connections on $MONGO_HOST:$MONGO_PORT"
    return 0
  fi
  t0="$(now)"
  if pid="$(find_pid "$MONGO_PID" "$MONGO_MARKER")"; then
    log "mongo: our server (pid $pid) is running but not listening yet; waiting for it"
    echo "$pid" >"$MONGO_PID"
  else
    command -v java >/dev/null 2>&1 || die "mongo: java not found"
    mkdir -p "$TMP_DIR" "$MONGO_DATA"
    ensure_libs mongo "$MONGO_DIR"
    log "mongo: starting mongo-java-server on $MONGO_HOST:$MONGO_PORT (backend ${MONGO_BACKEND:-h2}, log: ${MONGO_LOG#"$ROOT"/})"
    t0="$(now)"
    # shellcheck disable=SC2086
    spawn "$MONGO_LOG" "$MONGO_PID" "$MONGO_MARKER" java ${MONGO_HEAP_OPTS:--Xms64m -Xmx256m} -XX:+UseSerialGC \
      -Dmongo.host="$MONGO_HOST" -Dmongo.port="$MONGO_PORT" \
      -Dmongo.backend="${MONGO_BACKEND:-h2}" -Dmongo.file="$MONGO_DATA/mongo.mv" \
      -Dorg.slf4j.simpleLogger.showDateTime=true \
      -Dorg.slf4j.simpleLogger.dateTimeFormat="yyyy-MM-dd'T'HH:mm:ss.SSS" \
      -Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire=warn \
      -Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler=off \
      -cp "$MONGO_LIBS/*" "$MONGO_DIR/MongoLauncher.java"
    pid="$(cat "$MONGO_PID")"
  fi
  # (the wire handler is at WARN and its exception handler off: otherwise every client connect/disconnect,
  #  including "Connection reset" from the driver's monitor sockets, is logged with a stack trace)
  while :; do
    if has_exited "$pid" "$MONGO_MARKER"; then
      log "mongo: server process $pid exited; last lines of ${MONGO_LOG#"$ROOT"/}:"
      tail -n 40 "$MONGO_LOG" >&2 || true
      rm -f "$MONGO_PID"
      die "mongo: failed to start"
    fi
    if port_open "$MONGO_HOST" "$MONGO_PORT"; then
      log "mongo: ready on $MONGO_HOST:$MONGO_PORT after $(($(now) - t0)) s (pid $pid)"
      return 0
    fi
    if (($(now) - t0 >= timeout)); then
      log "mongo: not ready after $timeout s; last lines of ${MONGO_LOG#"$ROOT"/}:"
      tail -n 40 "$MONGO_LOG" >&2 || true
      die "mongo: readiness timeout (pid $pid left running; stop it with: bash scripts/infra.sh stop mongo)"
    fi
    sleep 0.25
  done
}

stop_mongo() { stop_service mongo "$MONGO_PID" "$MONGO_MARKER" "MongoLauncher.java" "$MONGO_HOST" "$MONGO_PORT"; }

status_mongo() {
  local pid state="down" owner=""
  port_open "$MONGO_HOST" "$MONGO_PORT" && state="up"
  if pid="$(find_pid "$MONGO_PID" "$MONGO_MARKER")"; then
    owner="pid $pid, rss $(rss_mb "$pid") MB, backend ${MONGO_BACKEND:-h2}"
  elif [[ "$state" == up ]]; then
    owner="not started by this script"
  fi
  printf 'mongo     %-5s %s:%s%s\n' "$state" "$MONGO_HOST" "$MONGO_PORT" "${owner:+  ($owner)}"
}

rss_mb() {
  local kb
  kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)"
  echo $((${kb:-0} / 1024))
}

# ---------------------------------------------------------------------------------------------------------------
# main

validate_services() {
  local s k known
  for s in "$@"; do
    known=0
    for k in "${ALL_SERVICES[@]}"; do [[ "$s" == "$k" ]] && known=1; done
    ((known)) || die "unknown service '$s' (known: ${ALL_SERVICES[*]})"
  done
}

main() {
  (($# >= 1)) || usage
  local cmd="$1" s t0
  shift
  case "$cmd" in
    up | down | status) ;;
    start | stop) (($# == 1)) || die "usage: $0 $cmd <service>" ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
  validate_services "$@"
  local services=("$@")
  ((${#services[@]})) || services=("${ALL_SERVICES[@]}")

  if docker_available; then
    docker_main "$cmd" "$@"
    return 0
  fi

  mkdir -p "$TMP_DIR"
  # Serialise concurrent invocations (e.g. two test runners calling `up` at once).
  if [[ "$cmd" != status ]] && command -v flock >/dev/null 2>&1; then
    exec 9>"$TMP_DIR/infra.lock"
    flock -w 300 9 || die "another scripts/infra.sh is still running (lock ${TMP_DIR#"$ROOT"/}/infra.lock)"
  fi

  t0="$(now)"
  case "$cmd" in
    up | start)
      for s in "${services[@]}"; do "up_$s"; done
      log "up: ${services[*]} ready ($(($(now) - t0)) s)"
      ;;
    down | stop)
      for s in "${services[@]}"; do
        case "$s" in
          # PostgreSQL and Redis are the machine's shared services (other projects may use them): never stop them.
          postgres | redis) log "$s: left running (machine service; not managed by $cmd)" ;;
          *) "stop_$s" ;;
        esac
      done
      ;;
    status)
      for s in "${services[@]}"; do "status_$s"; done
      ;;
  esac
}

main "$@"
