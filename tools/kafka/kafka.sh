#!/usr/bin/env bash
# Single-node KRaft Apache Kafka (combined broker+controller) for local development and tests.
# The broker runs from the official jars resolved from Maven Central (tools/kafka/pom.xml); no tarball, no Docker.
#
# Usage: tools/kafka/kafka.sh start|stop|status|logs [-f] [N]|reset
#
# Environment (all optional):
#   KAFKA_VERSION          broker version (default below; keep in sync with pom.xml)
#   KAFKA_HOME_DIR         jar cache, keyed by version  (default ~/.cache/identity-platform/kafka)
#   KAFKA_WORK             config, data, logs, pid file (default $KAFKA_HOME_DIR/work)
#   KAFKA_PORT             client listener on 127.0.0.1 (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener    (default 9093)
#   KAFKA_SECURE_PORT      SASL_SSL listener on 127.0.0.1 (default KAFKA_PORT + 2): TLS with a CA
#                          generated into $KAFKA_WORK/tls (ca.pem), SASL PLAIN user "identity",
#                          password "identity-test-password"; for the tests of the clients' TLS and SASL
#   KAFKA_HEAP_OPTS        default "-Xms128m -Xmx512m"
#   KAFKA_JVM_OPTS         extra JVM flags
#   KAFKA_START_TIMEOUT    seconds to wait for readiness (default 120)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#   JAVA_HOME              Java 17+ (default: java on PATH)
#
# See docs/adr/0002-kafka-broker-from-maven-jars.md.
set -euo pipefail

V="${KAFKA_VERSION:-4.4.0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_DIR="${KAFKA_HOME_DIR:-${HOME:-/root}/.cache/identity-platform/kafka}"
LIBS="$HOME_DIR/$V/libs"
WORK="${KAFKA_WORK:-$HOME_DIR/work}"
DATA="$WORK/data"
LOGS="$WORK/logs"
LOG_FILE="$LOGS/server.log"
OUT_FILE="$LOGS/kafka.out"
PID_FILE="$WORK/kafka.pid"
CONF="$WORK/server.properties"
LOG4J_CONF="$WORK/log4j2.properties"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
SPORT="${KAFKA_SECURE_PORT:-$((PORT + 2))}"
TLS="$WORK/tls"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

say() { echo "kafka: $*" >&2; }
die() { say "error: $*"; exit 1; }

show_log_tail() {
  local f
  for f in "$OUT_FILE" "$LOG_FILE"; do
    if [ -s "$f" ]; then
      echo "----- last 50 lines of $f -----" >&2
      tail -n 50 "$f" >&2 || true
    fi
  done
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Prints the pid of the broker this script started, if it is still alive.
our_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: it must be our kafka.Kafka with our config
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $CONF" || return 1
  echo "$pid"
}

with_lock() {
  mkdir -p "$WORK"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$WORK/.lock"
    flock 9
  fi
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (need Java 17+; set JAVA_HOME)"
  local major
  major="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [ -n "$major" ] && [ "$major" -ge 17 ] || die "Kafka $V needs Java 17+, found: $("$JAVA" -version 2>&1 | head -n1)"
}

check_kafkajs() {
  (cd "$HERE" && node -e "require.resolve('kafkajs')") >/dev/null 2>&1 ||
    die "the readiness check needs the kafkajs package (a dependency of the repo's package.json): run npm ci at the repo root"
}

fetch_jars() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to fetch the Kafka jars)"
  local tmp="$HOME_DIR/$V/libs.tmp.$$" t0=$SECONDS
  say "fetching Kafka $V jars from Maven (first run only)..."
  mkdir -p "$HOME_DIR/$V"
  rm -rf "$tmp"
  if ! mvn -B -q -Dstyle.color=never -f "$HERE/pom.xml" -Dkafka.version="$V" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
      >"$HOME_DIR/$V/mvn.log" 2>&1; then
    tail -n 50 "$HOME_DIR/$V/mvn.log" >&2 || true
    rm -rf "$tmp"
    die "mvn could not resolve the Kafka $V jars (log: $HOME_DIR/$V/mvn.log)"
  fi
  local need
  for need in "kafka_2.13-$V.jar" "kafka-clients-$V.jar" "log4j-core-*.jar" "log4j-slf4j-impl-*.jar"; do
    compgen -G "$tmp/$need" >/dev/null || { rm -rf "$tmp"; die "jar $need missing after mvn copy-dependencies"; }
  done
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  touch "$LIBS/.complete"
  say "fetched $(ls "$LIBS"/*.jar | wc -l) jars ($(du -sh "$LIBS" | cut -f1)) in $((SECONDS - t0)) s into $LIBS"
}

# A CA and the broker's certificate for 127.0.0.1, made once per work dir.
write_tls() {
  [ -s "$TLS/broker.pem" ] && [ -s "$TLS/ca.pem" ] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found (it makes the test broker's TLS certificate)"
  rm -rf "$TLS" && mkdir -p "$TLS"
  (
    cd "$TLS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=identity-platform test Kafka CA" -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile broker.ext -out broker.crt
    openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.pk8
    cat broker.pk8 broker.crt >broker.pem
    rm -f broker.csr broker.ext broker.key broker.pk8 ca.srl
  ) >>"$OUT_FILE" 2>&1 || die "openssl could not make the test broker's certificate (log: $OUT_FILE)"
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  write_tls
  cat >"$CONF" <<EOF
# generated by tools/kafka/kafka.sh on each start: single-node KRaft broker for tests
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT,SASL_SSL://$HOST:$SPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_SSL://$HOST:$SPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_identity="identity-test-password";
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$TLS/broker.pem
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
EOF
  cat >"$LOG4J_CONF" <<'EOF'
# generated by tools/kafka/kafka.sh (Log4j2 properties format; no extra jar needed)
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

format_storage() {
  local formatted=""
  [ -f "$WORK/formatted-version" ] && formatted="$(cat "$WORK/formatted-version")"
  if [ -f "$DATA/meta.properties" ] && [ "$formatted" = "$V" ]; then
    return 0
  fi
  if [ -f "$DATA/meta.properties" ]; then
    say "data dir was formatted by Kafka ${formatted:-unknown}; wiping it for Kafka $V"
    rm -rf "$DATA"
    mkdir -p "$DATA"
  fi
  local cid
  cid="$("$JAVA" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$OUT_FILE" | tail -n1)"
  [[ "$cid" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "could not generate a cluster id (got '$cid')"
  if ! "$JAVA" -cp "$LIBS/*" kafka.tools.StorageTool format \
      -t "$cid" -c "$CONF" --ignore-formatted >>"$OUT_FILE" 2>&1; then
    show_log_tail
    die "kafka-storage format failed"
  fi
  echo "$V" >"$WORK/formatted-version"
  say "formatted KRaft storage in $DATA (cluster id $cid)"
}

wait_ready() { # $1 = seconds left
  KAFKA_BROKERS="$HOST:$PORT" KAFKA_READY_TIMEOUT_MS="$(($1 * 1000))" node "$HERE/wait-ready.cjs"
}

cmd_start() {
  local t0=$SECONDS pid
  check_kafkajs
  with_lock

  if pid="$(our_pid)" && port_open "$PORT" && ! port_open "$SPORT"; then
    say "the running broker (pid $pid) has no SASL_SSL listener on $HOST:$SPORT; restarting it with one"
    stop_pid || true
  fi
  if pid="$(our_pid)"; then
    if port_open "$PORT"; then
      say "already running (pid $pid) on $HOST:$PORT"
      wait_ready "$START_TIMEOUT" || { show_log_tail; die "the running broker (pid $pid) is not healthy"; }
      return 0
    fi
  elif port_open "$PORT"; then
    say "something already listens on $HOST:$PORT (not started by this script); checking it is a Kafka broker"
    wait_ready 15 || die "port $PORT is taken by something that is not a working Kafka broker"
    say "reusing the broker on $HOST:$PORT"
    return 0
  else
    rm -f "$PID_FILE"
    if port_open "$CPORT"; then die "controller port $HOST:$CPORT is already in use"; fi
    check_java
    fetch_jars
    write_config
    LOG_OPTS="-Dkafka.logs.dir=$LOGS -Dlog4j2.configurationFile=$LOG4J_CONF"
    format_storage
    : >"$OUT_FILE"
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    # shellcheck disable=SC2086  # the *_OPTS variables are word lists on purpose
    nohup "${launcher[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
      "$JAVA" ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} \
      -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
      -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true ${KAFKA_JVM_OPTS:-} \
      $LOG_OPTS -cp "$LIBS/*" kafka.Kafka "$CONF" \
      >>"$OUT_FILE" 2>&1 </dev/null 9>&- &
    local i
    for i in $(seq 1 50); do [ -s "$PID_FILE" ] && break; sleep 0.1; done
    say "starting Kafka $V (pid $(cat "$PID_FILE" 2>/dev/null || echo '?')) on $HOST:$PORT, logs: $LOG_FILE"
  fi

  # wait for the client port: it opens only once the broker is registered and unfenced
  local deadline=$((t0 + START_TIMEOUT))
  until port_open "$PORT"; do
    if ! our_pid >/dev/null; then
      show_log_tail
      rm -f "$PID_FILE"
      die "broker exited during startup"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_log_tail
      stop_pid
      die "port $PORT did not open within ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  local left=$((deadline - SECONDS))
  [ "$left" -ge 5 ] || left=5
  if ! wait_ready "$left"; then
    show_log_tail
    stop_pid
    die "broker did not pass the admin readiness check"
  fi
  say "Kafka $V ready on $HOST:$PORT (pid $(cat "$PID_FILE")) in $((SECONDS - t0)) s"
}

stop_pid() {
  local pid i
  pid="$(our_pid)" || { rm -f "$PID_FILE"; return 1; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

cmd_stop() {
  with_lock
  if ! stop_pid; then
    if port_open "$PORT"; then
      say "not started by this script (no live pid in $PID_FILE), but something listens on $HOST:$PORT; leaving it alone"
    else
      say "not running"
    fi
  fi
}

cmd_status() {
  local pid
  if pid="$(our_pid)"; then
    if port_open "$PORT"; then
      echo "running: Kafka $V, pid $pid, $HOST:$PORT, work dir $WORK"
    else
      echo "starting: Kafka $V, pid $pid, port $PORT not open yet"
    fi
    return 0
  fi
  if port_open "$PORT"; then
    echo "external: something listens on $HOST:$PORT (not started by this script)"
    return 0
  fi
  echo "stopped (work dir $WORK)"
  return 3
}

cmd_logs() {
  local follow="" n=100 a
  for a in "$@"; do
    case "$a" in
      -f | --follow) follow=1 ;;
      *[!0-9]* | "") die "usage: kafka.sh logs [-f] [N]" ;;
      *) n="$a" ;;
    esac
  done
  [ -f "$LOG_FILE" ] || die "no log file yet: $LOG_FILE"
  if [ -n "$follow" ]; then exec tail -n "$n" -F "$LOG_FILE"; fi
  tail -n "$n" "$LOG_FILE"
}

cmd_reset() {
  cmd_stop
  rm -rf "$DATA" "$LOGS" "$WORK/formatted-version" "$CONF" "$LOG4J_CONF"
  say "wiped data and logs in $WORK (jars kept in $LIBS)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  reset) cmd_reset ;;
  *)
    echo "usage: $0 start|stop|status|logs [-f] [N]|reset" >&2
    exit 2
    ;;
esac
