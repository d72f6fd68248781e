#!/usr/bin/env bash
# A single-node Kafka (broker + KRaft controller) on 127.0.0.1 for development
# and CI. Fetches org.apache.kafka:kafka_2.13 and its dependencies from Maven
# Central once (cached), formats KRaft storage, starts, waits until the broker
# answers, and stops cleanly.
#
#   scripts/kafka-local.sh start    # prints the bootstrap address (KAFKA_BROKERS) on stdout
#   scripts/kafka-local.sh stop
#   scripts/kafka-local.sh status
#
# Environment: KAFKA_PORT (default 19092), KAFKA_CONTROLLER_PORT (19093),
# KAFKA_HOME_DIR (state and logs, default /tmp/driftwatch-kafka),
# KAFKA_CACHE_DIR (jars, default <repo>/.cache/kafka), KAFKA_HEAP (default 512m).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
port="${KAFKA_PORT:-19092}"
controller_port="${KAFKA_CONTROLLER_PORT:-19093}"
home="${KAFKA_HOME_DIR:-/tmp/driftwatch-kafka}"
cache="${KAFKA_CACHE_DIR:-$repo/.cache/kafka}"
lib="$cache/lib"
pidfile="$home/kafka.pid"

log() { printf 'kafka-local: %s\n' "$*" >&2; }

fetch() {
  local stamp="$cache/pom.sha"
  local want
  want="$(sha256sum "$here/kafka/pom.xml" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$lib" ]; then return; fi
  log "fetching Kafka and its dependencies from Maven Central into $lib"
  rm -rf "$lib"; mkdir -p "$lib"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib" >&2
  echo "$want" > "$stamp"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

# JAVA_EXEC=1: replace the calling (sub)shell with java, so `$!` of a background call is java's pid.
java_cmd() {
  ${JAVA_EXEC:+exec} java -Xms128m -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$here/kafka/log4j2.properties" -Dkafka.logs.dir="$home/logs" \
    -cp "$lib/*" "$@"
}

start() {
  if running && answers; then log "already running (pid $(cat "$pidfile"))"; echo "127.0.0.1:$port"; return; fi
  fetch
  mkdir -p "$home/logs"
  local props="$home/server.properties"
  cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$home/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
message.max.bytes=16777216
PROPS
  if [ ! -f "$home/data/meta.properties" ]; then
    log "formatting KRaft storage in $home/data"
    local cluster_id
    cluster_id="$(java_cmd kafka.tools.StorageTool random-uuid | tail -n 1)"
    java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >&2
  fi
  log "starting broker on 127.0.0.1:$port"
  # The pid file must name java itself: `stop` signals it (a subshell's pid would leave the broker running).
  JAVA_EXEC=1 java_cmd kafka.Kafka "$props" > "$home/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if answers; then log "broker answers on 127.0.0.1:$port"; echo "127.0.0.1:$port"; return; fi
    if ! running; then log "broker exited; see $home/logs"; tail -n 30 "$home/logs/stdout.log" >&2 || true; exit 1; fi
    sleep 0.5
  done
  log "broker did not answer within 60 s; see $home/logs"; exit 1
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return; fi
  local pid; pid="$(cat "$pidfile")"
  log "stopping broker (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do running || { rm -f "$pidfile"; log "stopped"; return; }; sleep 0.5; done
  log "broker did not stop in 30 s; killing"; kill -KILL "$pid" || true; rm -f "$pidfile"
}

status() { if running && answers; then echo "running 127.0.0.1:$port"; else echo "stopped"; return 1; fi; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  reset) stop; rm -rf "$home"; log "removed $home" ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
