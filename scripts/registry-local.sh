#!/usr/bin/env bash
# A schema registry on 127.0.0.1 for development and CI: Apicurio Registry,
# whose runnable app (a Quarkus fast-jar) is published on Maven Central as
# io.apicurio:apicurio-registry-app:<version>:tar.gz:all. Fetched with mvn once
# (cached), started with in-memory storage, waited for until its
# Confluent-compatible API answers, stopped cleanly.
#
#   scripts/registry-local.sh start    # prints SCHEMA_REGISTRY_URL on stdout
#   scripts/registry-local.sh stop
#   scripts/registry-local.sh status
#
# The printed URL is the base of the Confluent-compatible API
# (http://127.0.0.1:18081/apis/ccompat/v7): @kafkajs/confluent-schema-registry
# talks to it as to a Confluent Schema Registry.
#
# Environment: REGISTRY_PORT (default 18081), REGISTRY_VERSION (default 2.6.13.Final; 3.x needs Java 21),
# REGISTRY_HOME_DIR (pid and logs, default /tmp/driftwatch-registry),
# REGISTRY_CACHE_DIR (the app, default <repo>/.cache/registry),
# REGISTRY_HEAP (default 384m).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
port="${REGISTRY_PORT:-18081}"
version="${REGISTRY_VERSION:-2.6.13.Final}"
home="${REGISTRY_HOME_DIR:-/tmp/driftwatch-registry}"
cache="${REGISTRY_CACHE_DIR:-$repo/.cache/registry}"
app="$cache/apicurio-registry-app-$version"
pidfile="$home/registry.pid"
url="http://127.0.0.1:$port/apis/ccompat/v7"

log() { printf 'registry-local: %s\n' "$*" >&2; }

# 3.x ships a Quarkus fast-jar (quarkus-run.jar), 2.x a legacy-jar (<name>-runner.jar + lib/).
runnable_jar() {
  if [ -f "$1/quarkus-run.jar" ]; then echo "$1/quarkus-run.jar"; return; fi
  compgen -G "$1/*-runner.jar" | head -n 1 || true
}

fetch() {
  if [ -d "$app" ] && [ -n "$(runnable_jar "$app")" ]; then return; fi
  log "fetching io.apicurio:apicurio-registry-app:$version (tar.gz, classifier all) from Maven Central into $cache"
  local download="$cache/download"
  rm -rf "$download" "$app.partial"; mkdir -p "$download" "$app.partial"
  mvn -q -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" \
    -DoutputDirectory="$download" >&2
  tar xzf "$download/apicurio-registry-app-$version-all.tar.gz" -C "$app.partial"
  [ -n "$(runnable_jar "$app.partial")" ] || { log "the archive has no quarkus-run.jar or *-runner.jar"; exit 1; }
  mv "$app.partial" "$app"
  rm -rf "$download"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# Ready = the Confluent-compatible API answers (storage initialised), not just the port.
answers() { curl -fsS -o /dev/null --max-time 2 "$url/subjects" 2>/dev/null; }

start() {
  if running && answers; then log "already running (pid $(cat "$pidfile"))"; echo "$url"; return; fi
  if answers; then log "something else already answers on 127.0.0.1:$port"; echo "$url"; return; fi
  fetch
  mkdir -p "$home"
  log "starting Apicurio Registry $version on 127.0.0.1:$port"
  # Run from $home: Quarkus reads ./config/application.properties and writes
  # nothing else there; our settings come from scripts/registry/registry.properties.
  (cd "$home" && exec java -Xms64m -Xmx"${REGISTRY_HEAP:-384m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dquarkus.config.locations="$here/registry/registry.properties" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -D%prod.quarkus.http.port="$port" \
    -jar "$(runnable_jar "$app")" > "$home/registry.log" 2>&1 < /dev/null) &
  echo $! > "$pidfile"
  for _ in $(seq 1 240); do
    if answers; then log "ready: $url"; echo "$url"; return; fi
    if ! running; then log "registry exited; see $home/registry.log"; tail -n 30 "$home/registry.log" >&2 || true; exit 1; fi
    sleep 0.5
  done
  log "registry did not answer within 120 s; see $home/registry.log"; exit 1
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return; fi
  local pid; pid="$(cat "$pidfile")"
  log "stopping registry (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do running || { rm -f "$pidfile"; log "stopped"; return; }; sleep 0.5; done
  log "registry did not stop in 30 s; killing"; kill -KILL "$pid" || true; rm -f "$pidfile"
}

status() { if running && answers; then echo "running $url"; else echo "stopped"; return 1; fi; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
