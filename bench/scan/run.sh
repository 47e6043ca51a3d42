#!/usr/bin/env bash
# Scanner throughput against openssl s_time on the same loopback servers, and the service's RSS while 10,000 scans
# are stored. See bench/README.md, section "Scan throughput".
#
#   bench/scan/run.sh                 # N=50 endpoints, concurrency C=8
#   N=50 C=8 ROUNDS=30 TOTAL=10000 STIME=10 XMX=512m bench/scan/run.sh
#   PROFILE=1 KEEP=1 bench/scan/run.sh   # with a JFR profile of the storing phase (slows phase a: not for results)
#   SERVICE_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/scan/run.sh   # the service on another JDK
#
# Phase (c) runs the service's TlsProbe alone (bench/scan/ProbeBench.java, on SERVICE_JAVA, from the packaged jar).
# Needs: a JDK 21+, openssl (s_server, s_time), curl. Installs nothing. Keys and certificates are generated into a
# temporary directory at run time and deleted afterwards (KEEP=1 keeps it, with the service log).
set -euo pipefail

N=${N:-50}              # loopback TLS endpoints (one openssl s_server each)
C=${C:-8}               # concurrency: service scanner permits, API driver threads, parallel s_time processes
ROUNDS=${ROUNDS:-30}    # measured rounds of "scan every endpoint now" (after the storing phase warmed the JIT);
                        # 30 x 50 = 1,500 scans, about as long as s_time runs
TOTAL=${TOTAL:-10000}   # scans stored in all
STIME=${STIME:-10}      # seconds per s_time process
XMX=${XMX:-512m}        # service heap limit
PORT_BASE=${PORT_BASE:-24400}
PROFILE=${PROFILE:-0}   # 1: record a JFR CPU profile of the service while it stores scans (needs jcmd); the JVM
                        # stays slower afterwards, so phase (a) of a profiled run is not a result
SERVICE_JAVA=${SERVICE_JAVA:-java}  # the JVM that runs the service (e.g. a newer JDK's bin/java); the driver uses java
JAVA_OPTS=${JAVA_OPTS:-}  # extra options for the service JVM (e.g. -XX:FlightRecorderOptions:stackdepth=256)

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$REPO/bench/scan"
for tool in openssl java curl; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Debian: apt-get install openssl curl)" >&2; exit 2; }
done

JAR="$REPO/service/target/quarkus-app/quarkus-run.jar"
if [ ! -f "$JAR" ]; then
  echo "== building the service jar"
  (cd "$REPO" && ./mvnw -B -q package -DskipTests)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustfleet-bench.XXXXXX")
PIDS=()
SERVICE_PID=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== certificates (EC P-256: root, intermediate, leaf for sts.bench.test) in $WORK"
cd "$WORK"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${EC[@]}" -keyout root.key -out root.pem -days 30 -subj "/O=Trustfleet Bench/CN=Bench Root" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req "${EC[@]}" -keyout int.key -out int.csr -subj "/O=Trustfleet Bench/CN=Bench Issuing CA" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 -extfile int.ext \
  -out int.pem 2>/dev/null
openssl req "${EC[@]}" -keyout leaf.key -out leaf.csr -subj "/O=Trustfleet Bench/CN=sts.bench.test" 2>/dev/null
printf 'subjectAltName=DNS:sts.bench.test\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 30 -extfile leaf.ext \
  -out leaf.pem 2>/dev/null

echo "== $N openssl s_server endpoints on 127.0.0.1:$PORT_BASE.."
: > ports
for i in $(seq 0 $((N - 1))); do
  port=$((PORT_BASE + i))
  # -www: answers an HTTP GET and never reads stdin (plain s_server would spin on a closed stdin)
  openssl s_server -accept "127.0.0.1:$port" -cert leaf.pem -key leaf.key -cert_chain int.pem -www -quiet \
    < /dev/null > /dev/null 2>&1 &
  PIDS+=($!)
  echo "$port" >> ports
done
sleep 1
for p in $(cat ports); do
  timeout 5 openssl s_client -connect "127.0.0.1:$p" -servername sts.bench.test < /dev/null > /dev/null 2>&1 \
    || { echo "s_server on $p did not answer (port in use? set PORT_BASE)" >&2; exit 1; }
done

echo "== service (-Xmx$XMX, embedded PostgreSQL in $WORK/data, scanner concurrency $C)"
HTTP_PORT=$((PORT_BASE - 1))
TOKEN="tfo_bench-$(openssl rand -hex 16)"
# first-scan-delay of weeks: no scheduled scan runs during the bench, only the ones it asks for
# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
"$SERVICE_JAVA" "-Xmx$XMX" $JAVA_OPTS -Dquarkus.http.port=$HTTP_PORT -Dtrustfleet.data-dir="$WORK/data" \
  -Dtrustfleet.operator-token="$TOKEN" -Dtrustfleet.scanner.allow-private-addresses=true \
  -Dtrustfleet.scanner.concurrency="$C" -Dtrustfleet.scanner.manual-scans-per-tenant="$C" \
  -Dtrustfleet.scanner.first-scan-delay=1000h \
  -Dquarkus.log.console.json.enabled=false -jar "$JAR" > service.log 2>&1 &
SERVICE_PID=$!
BASE="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 1 240); do
  curl -fs "$BASE/q/health/ready" > /dev/null 2>&1 && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { tail -50 service.log >&2; exit 1; }
  sleep 0.5
done
curl -fs "$BASE/q/health/ready" > /dev/null || { echo "service not ready" >&2; tail -50 service.log >&2; exit 1; }

java "$BENCH/ScanBench.java" register "$BASE" "$TOKEN" root.pem ports state

# CPU accounting in clock ticks, so that the comparison also holds on a machine shared with other work
TCK=$(getconf CLK_TCK)
ticks() { # utime+stime of one pid; with "all", plus its reaped children's
  awk -v all="${2:-}" '{ print $14 + $15 + (all == "all" ? $16 + $17 : 0) }' "/proc/$1/stat" 2>/dev/null || echo 0
}
PG_MAIN=$(head -1 "$WORK/data/postgres/postmaster.pid")
pg_ticks() {
  local t
  t=$(ticks "$PG_MAIN" all)
  for p in $(pgrep -P "$PG_MAIN"); do t=$((t + $(ticks "$p"))); done
  echo "$t"
}
servers_ticks() { local t=0; for p in "${PIDS[@]}"; do t=$((t + $(ticks "$p"))); done; echo "$t"; }
rss_mib() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$SERVICE_PID/status"; }

MEASURED=$(( N * ROUNDS ))
BULK_ROUNDS=$(( (TOTAL - MEASURED + N - 1) / N ))
CHUNK=$(( (1000 + N - 1) / N ))
echo "== storing $((BULK_ROUNDS * N)) scans first (this also warms the JIT up); RSS every $((CHUNK * N)) scans"
if [ "$PROFILE" = 1 ] && command -v jcmd > /dev/null; then
  # a 20 s JFR CPU profile of the warm service, 30 s into the storing phase
  ( sleep 30; "$(dirname "$(readlink -f "$(command -v "$SERVICE_JAVA")")")/jcmd" "$SERVICE_PID" JFR.start name=bench settings=profile duration=20s filename="$WORK/scan.jfr" \
      > /dev/null 2>&1 || true ) &
fi
: > rss.txt
BULK_DONE=0
BULK_START=$(date +%s.%N)
while [ "$BULK_DONE" -lt "$BULK_ROUNDS" ]; do
  R=$(( BULK_ROUNDS - BULK_DONE < CHUNK ? BULK_ROUNDS - BULK_DONE : CHUNK ))
  java "$BENCH/ScanBench.java" scan "$BASE" state "$C" "$R" > chunk.txt
  grep -q " failed=0 " chunk.txt || { cat chunk.txt >&2; exit 1; }
  BULK_DONE=$((BULK_DONE + R))
  echo "$((BULK_DONE * N)) scans: RSS $(rss_mib) MiB" | tee -a rss.txt
done
BULK_EPS=$(awk -v n=$((BULK_DONE * N)) -v s="$BULK_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", n / (e - s) }')

echo "== (a) service: $ROUNDS rounds x $N endpoints, concurrency $C"
J0=$(ticks "$SERVICE_PID"); P0=$(pg_ticks); S0=$(servers_ticks)
java "$BENCH/ScanBench.java" scan "$BASE" state "$C" "$ROUNDS" | tee service.txt
J1=$(ticks "$SERVICE_PID"); P1=$(pg_ticks); S1=$(servers_ticks)
EPS=$(sed -n 's/.*endpointsPerSecond=\([0-9.]*\).*/\1/p' service.txt)
SCANS=$(sed -n 's/^scans=\([0-9]*\).*/\1/p' service.txt)

echo "== (b) openssl s_time -new, $C processes x ${STIME}s against the same servers"
S2=$(servers_ticks)
STIME_PIDS=()
for i in $(seq 1 "$C"); do
  port=$(sed -n "${i}p" ports)
  openssl s_time -connect "127.0.0.1:$port" -new -time "$STIME" > "stime-$i.txt" 2>&1 &
  STIME_PIDS+=($!)
done
for p in "${STIME_PIDS[@]}"; do wait "$p" || true; done
S3=$(servers_ticks)
# per process: "NNN connections in U.UUs; ..." (U: s_time's user CPU) and "NNN connections in T real seconds"
OPENSSL_HPS=$(cat stime-*.txt | sed -n 's/^\([0-9]*\) connections in \([0-9.]*\) real seconds.*/\1 \2/p' \
  | awk '{ if ($2 > 0) r += $1 / $2 } END { printf "%.1f", r }')
HANDSHAKES=$(cat stime-*.txt | sed -n 's/^\([0-9]*\) connections in [0-9.]* real seconds.*/\1/p' \
  | awk '{ n += $1 } END { print n + 0 }')
STIME_USER=$(cat stime-*.txt | sed -n 's/^[0-9]* connections in \([0-9.]*\)s;.*/\1/p' | awk '{ u += $1 } END { print u + 0 }')

echo "== (c) the service's TLS probe alone (TlsProbe.probeBoth, no validation, storage or HTTP), $C threads x ${STIME}s"
APP=$(dirname "$JAR")
"$SERVICE_JAVA" -cp "$APP/app/*:$APP/lib/main/*" "$BENCH/ProbeBench.java" ports sts.bench.test "$C" 10 "$STIME" \
  | tee probe.txt
PROBE_HPS=$(sed -n 's/.*handshakesPerSecond=\([0-9.]*\).*/\1/p' probe.txt)
PROBE_CPU=$(sed -n 's/.*jvmCpuMsPerHandshake=\([0-9.]*\).*/\1/p' probe.txt)
grep -q " failed=0 " probe.txt || { echo "probe phase had failed handshakes" >&2; cat probe.txt >&2; exit 1; }

STORED=$(( BULK_DONE * N + SCANS ))
HWM=$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$SERVICE_PID/status")
RSS=$(rss_mib)

# CPU ms per TLS handshake. Service: its JVM + PostgreSQL + the s_servers over phase (a), per scan / 2.
# openssl: s_time's user CPU + the s_servers over phase (b), per handshake.
per() { awk -v t="$1" -v n="$2" -v k="$TCK" -v d="${3:-1}" 'BEGIN { if (n > 0) printf "%.2f", t * 1000 / k / n / d; else print "n/a" }'; }
CPU_SERVICE=$(per $(( (J1 - J0) + (P1 - P0) + (S1 - S0) )) "$SCANS" 2)
CPU_JVM=$(per $((J1 - J0)) "$SCANS")
CPU_PG=$(per $((P1 - P0)) "$SCANS")
CPU_SRV=$(per $((S1 - S0)) "$SCANS")
CPU_OPENSSL=$(awk -v s=$((S3 - S2)) -v u="$STIME_USER" -v n="$HANDSHAKES" -v k="$TCK" \
  'BEGIN { if (n > 0) printf "%.3f", (s / k + u) * 1000 / n; else print "n/a" }')

if [ -s scan.jfr ]; then
  java "$BENCH/ScanBench.java" profile scan.jfr > profile.txt 2>&1 || true
fi

SERVICE_HPS=$(awk -v e="$EPS" 'BEGIN { printf "%.1f", 2 * e }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

echo
echo "== result ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$("$SERVICE_JAVA" -version 2>&1 | head -1), $(openssl version | cut -d' ' -f1-2))"
echo "| measure | value |"
echo "|---|---|"
echo "| endpoints (s_server processes), concurrency | $N, $C |"
echo "| service: endpoint scans/s (POST .../scans; $SCANS scans after $((BULK_DONE * N)) warm) | $EPS |"
echo "| service: TLS handshakes/s (2 per scan) | $SERVICE_HPS |"
echo "| openssl s_time -new: handshakes/s ($HANDSHAKES handshakes) | $OPENSSL_HPS |"
echo "| ratio service handshakes/s ÷ openssl handshakes/s | $(ratio "$SERVICE_HPS" "$OPENSSL_HPS") |"
echo "| ratio service endpoint scans/s ÷ openssl handshakes/s | $(ratio "$EPS" "$OPENSSL_HPS") |"
echo "| CPU ms per handshake, service (JVM + PostgreSQL + s_server, per scan ÷ 2) | $CPU_SERVICE |"
echo "| CPU ms per scan: service JVM / PostgreSQL / s_server | $CPU_JVM / $CPU_PG / $CPU_SRV |"
echo "| CPU ms per handshake, openssl (s_time user + s_server) | $CPU_OPENSSL |"
echo "| ratio by CPU cost (openssl ÷ service, per handshake) | $(ratio "$CPU_OPENSSL" "$CPU_SERVICE") |"
echo "| probe alone (c): handshakes/s (2 per probe pair); JVM CPU ms per handshake | $PROBE_HPS; $PROBE_CPU |"
echo "| ratio probe-alone handshakes/s ÷ openssl handshakes/s | $(ratio "$PROBE_HPS" "$OPENSSL_HPS") |"
echo "| scans stored in all; endpoint scans/s while storing | $STORED; $BULK_EPS |"
echo "| service peak RSS (VmHWM); RSS at end; heap limit | $HWM MiB; $RSS MiB; $XMX |"
echo
echo "== RSS while storing: $(tr '\n' ';' < rss.txt)"
if [ -s profile.txt ]; then
  echo; echo "== service CPU profile while storing (JFR execution samples, all threads):"; cat profile.txt
fi
