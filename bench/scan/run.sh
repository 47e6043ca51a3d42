#!/usr/bin/env bash
# Scanner throughput against openssl s_time, and the service's peak RSS while 10,000 scans are stored.
#
#   bench/scan/run.sh                 # N=50 endpoints, concurrency C=8
#   N=50 C=8 ROUNDS=4 TOTAL=10000 STIME=10 XMX=512m bench/scan/run.sh
#
# Needs: java 17, openssl (s_server, s_time). Installs nothing. Keys and certificates are generated into a
# temporary directory at run time and deleted afterwards (KEEP=1 keeps it, with the service log).
set -euo pipefail

N=${N:-50}              # loopback TLS endpoints (one openssl s_server each)
C=${C:-8}               # concurrency: service scanner permits, API driver threads, parallel s_time processes
ROUNDS=${ROUNDS:-4}     # measured rounds of "scan every endpoint now"
TOTAL=${TOTAL:-10000}   # scans stored in all (the RSS phase tops up to this)
STIME=${STIME:-10}      # seconds per s_time process
XMX=${XMX:-512m}        # service heap limit
PORT_BASE=${PORT_BASE:-24400}
PROFILE=${PROFILE:-1}   # 1: take thread dumps of the service during the RSS phase

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$REPO/bench/scan"
command -v openssl >/dev/null || { echo "openssl is required (Debian: apt-get install openssl)" >&2; exit 2; }
command -v java >/dev/null || { echo "java 17 is required" >&2; exit 2; }

JAR="$REPO/target/quarkus-app/quarkus-run.jar"
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
java "-Xmx$XMX" -Dquarkus.http.port=$HTTP_PORT -Dtrustfleet.data-dir="$WORK/data" \
  -Dtrustfleet.operator-token="$TOKEN" -Dtrustfleet.scanner.allow-private-addresses=true \
  -Dtrustfleet.scanner.concurrency="$C" -Dtrustfleet.scanner.first-scan-delay=1000h \
  -Dquarkus.log.console.json.enabled=false -jar "$JAR" > service.log 2>&1 &
SERVICE_PID=$!
BASE="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 1 240); do
  curl -fs "$BASE/q/health/ready" > /dev/null 2>&1 && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { cat service.log >&2; exit 1; }
  sleep 0.5
done
curl -fs "$BASE/q/health/ready" > /dev/null || { echo "service not ready" >&2; tail -50 service.log >&2; exit 1; }

java "$BENCH/ScanBench.java" register "$BASE" "$TOKEN" root.pem ports state

echo "== warm-up: one round"
java "$BENCH/ScanBench.java" scan "$BASE" state "$C" 1 | tee warmup.txt

echo "== (a) service: $ROUNDS rounds x $N endpoints, concurrency $C"
java "$BENCH/ScanBench.java" scan "$BASE" state "$C" "$ROUNDS" | tee service.txt
EPS=$(sed -n 's/.*endpointsPerSecond=\([0-9.]*\).*/\1/p' service.txt)

echo "== (b) openssl s_time -new, $C processes x ${STIME}s against the same servers"
STIME_PIDS=()
for i in $(seq 1 "$C"); do
  port=$(sed -n "${i}p" ports)
  openssl s_time -connect "127.0.0.1:$port" -new -time "$STIME" > "stime-$i.txt" 2>&1 &
  STIME_PIDS+=($!)
done
for p in "${STIME_PIDS[@]}"; do wait "$p" || true; done
# "NNN connections in T real seconds" per process, summed as rates
OPENSSL_HPS=$(cat stime-*.txt | sed -n 's/^\([0-9]*\) connections in \([0-9.]*\) real seconds.*/\1 \2/p' \
  | awk '{ if ($2 > 0) r += $1 / $2 } END { printf "%.1f", r }')

SCANS_DONE=$(( N * (ROUNDS + 1) ))
REMAINING=$(( TOTAL - SCANS_DONE ))
BULK_ROUNDS=$(( (REMAINING + N - 1) / N ))
echo "== storing scans up to $TOTAL: $BULK_ROUNDS more rounds"
if [ "$PROFILE" = 1 ] && command -v jcmd > /dev/null; then
  ( sleep 5; for _ in $(seq 1 20); do jcmd "$SERVICE_PID" Thread.print >> threads.txt 2>/dev/null || true; sleep 0.5; done ) &
fi
java "$BENCH/ScanBench.java" scan "$BASE" state "$C" "$BULK_ROUNDS" | tee bulk.txt
BULK_EPS=$(sed -n 's/.*endpointsPerSecond=\([0-9.]*\).*/\1/p' bulk.txt)
STORED=$(( SCANS_DONE + $(sed -n 's/^scans=\([0-9]*\).*/\1/p' bulk.txt) ))
HWM=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVICE_PID/status")
RSS=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVICE_PID/status")

if [ -s threads.txt ]; then
  # where do the scanning threads spend their time? the topmost trustfleet, JDK TLS or PostgreSQL driver frame of
  # each scan stack (socket waits show as sun.security.ssl.* for TLS and org.postgresql.* for the database)
  awk '
    /^"/ { top = ""; next }
    /org\.trustfleet\.scan\.ScanService\.run\(/ {
      count[top == "" ? "(in ScanService.run itself, e.g. waiting for a scan permit)" : top]++; top = "-"; next }
    /^\tat / && top == "" && /(org\.trustfleet|sun\.security\.ssl|org\.postgresql)/ {
      f = $2; sub(/\(.*/, "", f); top = f }
    END { for (k in count) print count[k], k }' threads.txt | sort -rn | head -12 > profile.txt
fi

SERVICE_HPS=$(awk -v e="$EPS" 'BEGIN { printf "%.1f", 2 * e }')
RATIO=$(awk -v s="$SERVICE_HPS" -v o="$OPENSSL_HPS" 'BEGIN { if (o > 0) printf "%.2f", s / o; else print "n/a" }')
RATIO_EP=$(awk -v s="$EPS" -v o="$OPENSSL_HPS" 'BEGIN { if (o > 0) printf "%.2f", s / o; else print "n/a" }')

cat <<EOF

== result ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), $(openssl version | cut -d' ' -f1-2))
| measure                                              | value |
|------------------------------------------------------|-------|
| endpoints (s_server processes), concurrency           | $N, $C |
| service: endpoint scans per second (POST .../scans)  | $EPS |
| service: TLS handshakes per second (2 per scan)      | $SERVICE_HPS |
| openssl s_time -new: handshakes per second           | $OPENSSL_HPS |
| ratio service handshakes / openssl handshakes        | $RATIO |
| ratio service endpoint scans / openssl handshakes    | $RATIO_EP |
| scans stored in all; endpoint scans/s in that phase  | $STORED; $BULK_EPS |
| service peak RSS (VmHWM), RSS at end, heap limit      | $((HWM / 1024)) MiB, $((RSS / 1024)) MiB, $XMX |
EOF
if [ -s profile.txt ]; then
  echo; echo "== scan thread samples (top frame of interest, count):"; cat profile.txt
fi
