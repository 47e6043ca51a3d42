#!/usr/bin/env bash
# Fleet scale on one PostgreSQL: many tenants, groups and devices (real hashed device tokens) bulk-loaded into the
# service's embedded database, then measured: sustained report ingestion (POST /device/reports from random devices'
# tokens, every accepted report counted in the database afterwards, database growth per report), the cursor-paged
# device listing of one big tenant walked to its end (p95 per page at every depth) and its drift report (p95).
# Also: endpoints with scan history (one real scan of a loopback TLS server, cloned by SQL), every group's
# requirements computed by the background recompute, a sample of devices' compliance checked against a
# recomputation, a reference for each figure (pgbench doing one transaction per report; the listing's and the drift
# aggregate's SQL alone), and a platform store change recomputing every group while devices fetch payloads.
# Results go to stdout and $WORK/results.txt; see bench/scale/RESULTS.md for recorded runs.
#
#   bench/scale/run.sh                                   # full size: 10,000 tenants, 50,000 groups, 1,000,000 devices
#   TENANTS=1000 GROUP_COUNT=5000 DEVICES=100000 BIG=20000 RD=60s bench/scale/run.sh   # reduced size
#   C=64 T=2 XMX=768m JAVA_OPTS="-Dtrustfleet.device.report-batch-size=1000" bench/scale/run.sh
#   KEEP=1 bench/scale/run.sh; REUSE=/tmp/trustfleet-scale-bench.XXXXXX bench/scale/run.sh   # the listing, drift and
#                                                         store change again, on the data of the kept run (another
#                                                         build: JAR=...; SKIP_STORE=1: no store change;
#                                                         DRIFT_N=20 DRIFT_WARM=3: drift requests measured, after
#                                                         unmeasured ones; MOSTLY_COMPLIANT=1: the big tenant's
#                                                         devices report their group's set, all but 50, for the
#                                                         listing and drift, then get their reports back)
#   COPY_OF=/tmp/trustfleet-scale-bench.XXXXXX bench/scale/run.sh   # as REUSE=, on a fresh copy of the kept directory
#                                                         (removed after the run): runs of two builds compare
#   INGEST=1 COPY_OF=... bench/scale/run.sh               # the report ingestion window and its pgbench reference too
#   WARM=90s JAVA_OPTS=-Dtrustfleet.alerts.check-interval=24h INGEST=1 COPY_OF=...   # builds compared without the
#                                                         alert checks in the window (the first, 30 s after start,
#                                                         goes through every tenant: a minute or more at full size)
#   LATEST_SCANS=1 SKIP_STORE=1 COPY_OF=...               # the latest scan of each of the big tenant's endpoints
#                                                         (SQL alone, against the form it replaced), on SCANS scans
#                                                         an endpoint, then on HISTORY (default 360) each, and
#                                                         the drift report there, as JAR reads them
#   ALERT_CHECKS=1 SKIP_STORE=1 COPY_OF=...               # the alert checks of every tenant timed too: the first
#                                                         after start and the next, 2 min apart (ALERT_INTERVAL)
#   STORE_CHANGES=2 COPY_OF=...                           # two store changes in a row on the same replica
#   STORE_CHANGES=2 RESTART_BETWEEN=1 COPY_OF=...         # the service started again between them (same database):
#                                                         the first change of a replica that has just started
#   STORE_ALTERS=1 STORE_CHANGES=2 COPY_OF=...           # changes that alter documents: level 36's store without
#                                                         the run's root, then with it again (the others' stores
#                                                         judge every chain as the one before did)
#   STORE_ETAGS=1 COPY_OF=...                             # during a store change, each device sends the ETag of
#                                                         its group's payload as stored before the fetches start
#                                                         (a fleet's devices: 304 until their group's payload
#                                                         changes); without it no fetch sends one (every one a 200)
#   STORE_WARM=300 COPY_OF=...                            # the fetches start that many seconds before the store
#                                                         is posted (default 10): at the fleet's rate, long enough
#                                                         for most groups' signed payloads to be cached first
#   SIGN_ALL=1 SKIP_STORE=1 KEEP=1 COPY_OF=...            # one device of every group without a signed payload
#                                                         fetches it, and the copy is kept: data whose groups all
#                                                         have one, as a fleet that fetches every 15 minutes has
#                                                         (for STORE_ETAGS=1 runs: every device sends an ETag)
#   FLEET_D=60s FLEET_WARM=300s REF_WARM=30s               # payload fetches at the fleet's rate ($STORE_RATE/s)
#                                                         before the store change, from every device's tokens and
#                                                         (reference) the big tenant's one group: CPU per fetch
#                                                         (FLEET_D=0: not measured)
#   REPLICAS=2 COPY_OF=...                                # a second replica (port HTTP_PORT+1) on the first's
#                                                         database shares the store change's sweep; payloads are
#                                                         fetched from the first; the log says how many groups each
#                                                         replica computed
#
# How the data gets there (as bench/payload does): the big tenant, its group and one device go through the API;
# the other tenants and groups are generated by SQL (generate_series; the groups of a tenant differ in their lowest
# API level, 24/27/30/33/36, so no two compute the same set), the other devices by python3 (random tfd_
# tokens, their SHA-256 as the stored hash: exactly what enrollment stores) and loaded with psql \copy.
# Endpoints: one is created and scanned through the API (openssl s_server on loopback presenting leaf, intermediate
# and a private root generated for the run); ENDPOINTS-1 more are cloned from it by SQL, BIG_ENDPOINTS in the big
# tenant and the rest spread over the other tenants, each with SCANS scans of history (no Quartz triggers: nothing
# is scanned while measuring). Each clone presents a leaf certificate of its own (python3's cryptography signs one
# per endpoint with the run's intermediate: same names, key and validity, its own serial and signature), so that no
# endpoint's checks are answered by another's, as in a real fleet; SHARED_LEAF=1: all present the template's leaf
# (the data of the runs before 2026-12-04).
#
# Needs: java 21+, curl, python3, psql, pgbench, openssl, wrk. Installs nothing; CI does not run benchmarks.
set -euo pipefail

TENANTS=${TENANTS:-10000}
GROUP_COUNT=${GROUP_COUNT:-50000}
DEVICES=${DEVICES:-1000000}
BIG=${BIG:-100000}
ENDPOINTS=${ENDPOINTS:-100000}
BIG_ENDPOINTS=${BIG_ENDPOINTS:-1000}
SCANS=${SCANS:-3}
RD_REF=${RD_REF:-60s}
STORE_D=${STORE_D:-1800s}  # at most: wrk is stopped once every group is recomputed
STORE_RATE=${STORE_RATE:-1100}  # payload requests per second during the store change (1,000,000 devices / 15 min)
SAMPLE=${SAMPLE:-200}
C=${C:-64}
T=${T:-2}
RD=${RD:-300s}
WARM=${WARM:-10s}
XMX=${XMX:-768m}
HTTP_PORT=${HTTP_PORT:-18090}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$REPO/bench/scale"
for tool in java curl python3 psql pgbench openssl wrk; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
JAR=${JAR:-"$REPO/service/target/quarkus-app/quarkus-run.jar"}
[ -f "$JAR" ] || { echo "build the jar first: ./mvnw -B package -DskipTests" >&2; exit 2; }

if [ -n "${COPY_OF:-}" ]; then
  # a fresh copy of a kept directory, used as REUSE= uses it and removed afterwards (KEEP=1 keeps it): every run
  # starts from the same rows, where runs on the kept directory itself slow down with each store change it takes
  [ -d "$COPY_OF/data" ] || { echo "COPY_OF=$COPY_OF: not a directory kept by an earlier run" >&2; exit 2; }
  REUSE=$(mktemp -d "${TMPDIR:-/tmp}/trustfleet-scale-bench.XXXXXX")
  cp -a "$COPY_OF/." "$REUSE/"
  sync  # the copy's writes go out before anything is measured
  WORK=$REUSE
elif [ -n "${REUSE:-}" ]; then
  WORK=$REUSE; KEEP=1  # a directory kept by an earlier run (KEEP=1): only the store change is measured again
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustfleet-scale-bench.XXXXXX")
fi
SERVICE_PID=""
REPLICA2_PID=""
TLS_PID=""
cleanup() {
  if [ -n "$TLS_PID" ]; then kill "$TLS_PID" 2>/dev/null || true; fi
  if [ -n "$REPLICA2_PID" ]; then kill "$REPLICA2_PID" 2>/dev/null || true; wait "$REPLICA2_PID" 2>/dev/null || true; fi
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
cd "$WORK"
echo "== $(date -u +%FT%TZ) load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
[ -n "${REUSE:-}" ] || : > "$WORK/results.txt"
echo "== starting the service (heap $XMX) in $WORK"
OPERATOR=tfo_bench-$(python3 -c 'import secrets; print(secrets.token_hex(16))')
# shellcheck disable=SC2086
ALERT_OPTS=()
[ "${ALERT_CHECKS:-0}" = 1 ] && ALERT_OPTS=(-Dtrustfleet.alerts.check-interval="${ALERT_INTERVAL:-2m}")
# what every replica is started with (the alert watcher logs how long each check of every tenant took)
SERVICE_OPTS=(-Dtrustfleet.operator-token="$OPERATOR" -Dquarkus.log.console.json.enabled=false
  -Dtrustfleet.scanner.allow-private-addresses=true -Dtrustfleet.recompute.poll-interval=1s
  "${ALERT_OPTS[@]}" -Dquarkus.log.category.\"org.trustfleet.alert.AlertWatcher\".level=DEBUG)
wait_ready() { # $1: the replica's HTTP port, $2: its log; stops the run if it is not ready within 3 minutes
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$1/q/health/ready" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "the service on port $1 did not start" >&2; tail -50 "$2"; exit 1
}
start_service() {
  java "-Xmx$XMX" ${JAVA_OPTS:-} "${SERVICE_OPTS[@]}" -Dquarkus.http.port=$HTTP_PORT -Dtrustfleet.data-dir="$WORK/data" \
    -jar "$JAR" >> service.log 2>&1 &
  SERVICE_PID=$!
  wait_ready "$HTTP_PORT" service.log
  DB_PORT=$(sed -n 's/.*Embedded PostgreSQL started in .* on port \([0-9]*\).*/\1/p' service.log | tail -1)
  export PGPASSWORD="$(cat "$WORK/data/postgres-password")"
  PG_PID=$(head -1 "$WORK/data/postgres/postmaster.pid")
}
REPLICAS=${REPLICAS:-1}
[ "$REPLICAS" = 1 ] || [ "$REPLICAS" = 2 ] || { echo "REPLICAS=$REPLICAS: 1 or 2" >&2; exit 2; }
# REPLICAS=2: a second replica on the first one's embedded PostgreSQL, configured as replicas sharing an external
# database are (the same operator token and payload master key, a Quartz instance id of its own)
start_replica2() {
  [ "$REPLICAS" = 2 ] || return 0
  mkdir -p "$WORK/data-2"
  java "-Xmx$XMX" ${JAVA_OPTS:-} "${SERVICE_OPTS[@]}" -Dquarkus.http.port=$((HTTP_PORT + 1)) \
    -Dtrustfleet.data-dir="$WORK/data-2" -Dquarkus.quartz.instance-id=replica-2 \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$DB_PORT/postgres" -Dquarkus.datasource.username=postgres \
    -Dquarkus.datasource.password="$PGPASSWORD" -Dtrustfleet.payload.master-key="$(cat "$WORK/data/payload-master-key")" \
    -jar "$JAR" >> service-2.log 2>&1 &
  REPLICA2_PID=$!
  wait_ready $((HTTP_PORT + 1)) service-2.log
}
stop_replica2() {
  [ -n "$REPLICA2_PID" ] || return 0
  kill "$REPLICA2_PID"; wait "$REPLICA2_PID" || true; REPLICA2_PID=""
}
: > service.log
start_service
[ "$REPLICAS" = 1 ] || { : > service-2.log; start_replica2; echo "   a second replica started (port $((HTTP_PORT + 1)))"; }
sql() { psql -qtA -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
# copies reports a MOSTLY_COMPLIANT=1 run set aside back onto their devices: all, or those the subquery $1 selects
copy_back_reports() {
  sql -c "UPDATE device d SET reported_at = s.reported_at, reported_version = s.reported_version,
            reported_installed = s.reported_installed, reported_failures = s.reported_failures
            FROM ${1:-bench_saved_reports} s WHERE d.id = s.id" \
      -c "UPDATE device_seen ds SET last_seen_at = s.last_seen_at
            FROM ${1:-bench_saved_reports} s WHERE ds.device_id = s.id"
}
# puts back the big tenant's generated reports a MOSTLY_COMPLIANT=1 run set aside (none: nothing to do)
restore_reports() {
  [ "$(sql -c "SELECT to_regclass('bench_saved_reports') IS NOT NULL")" = t ] || return 0
  copy_back_reports
  sql -c "DROP TABLE bench_saved_reports" -c "VACUUM (ANALYZE) device" -c "VACUUM (ANALYZE) device_seen"
  echo "   the big tenant's generated reports put back"
}
B="http://127.0.0.1:$HTTP_PORT/api/v1"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# whether any group is pending: the first pending row answers it. Counting them every half second (a count(*)
# visits each pending row) cost PostgreSQL 5-8 s during a store change, on the cores the sweep measured needs
pending() { sql -c "SELECT EXISTS (SELECT 1 FROM group_requirements WHERE recompute_wanted > recompute_done)"; }
service_mib() { awk -v field="$1:" '$1 == field { printf "%d", $2 / 1024 }' "/proc/$SERVICE_PID/status"; }  # VmHWM, VmRSS
cpu_seconds() { # CPU seconds (user + system) used so far by process $1 and its children (PostgreSQL's backends),
  # those that ended too: a backend's time moves to its parent's cutime/cstime when it exits and is waited for (read
  # over the living children only, the sum went down when a backend ended within a store change)
  python3 - "$1" <<'PY'
import os, sys
tick, root, total = os.sysconf("SC_CLK_TCK"), sys.argv[1], 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        if pid == root:
            total += (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / tick
        elif f[1] == root:
            total += (int(f[11]) + int(f[12])) / tick
    except (OSError, IndexError):
        pass
print(round(total, 2))
PY
}
service_cpu() { # the CPU seconds of the service's replicas (REPLICAS=2: both JVMs)
  if [ -n "$REPLICA2_PID" ]; then
    python3 -c "print($(cpu_seconds "$SERVICE_PID") + $(cpu_seconds "$REPLICA2_PID"))"
  else
    cpu_seconds "$SERVICE_PID"
  fi
}
wait_recomputed() { # seconds until no group is pending, and the CPU seconds the service and PostgreSQL spent
  local t0 j0 p0; t0=$(date +%s.%N); j0=$(service_cpu); p0=$(cpu_seconds "$PG_PID")
  while [ "$(pending)" != f ]; do sleep 0.5; done
  python3 -c "import time; print(round(time.time() - $t0, 1))" | tr -d '\n'
  echo "s (CPU: service $(python3 -c "print(round($(service_cpu) - $j0, 1))")s," \
    "PostgreSQL $(python3 -c "print(round($(cpu_seconds "$PG_PID") - $p0, 1))")s)"
}
thread_cpu() { # the CPU seconds of each thread of JVM $1 and its kind, as JSON (the JIT compilers apart from the work)
  python3 - "$1" <<'PY'
import glob, json, os, sys
KINDS = [("C2 Compiler", "C2 compiler"), ("C1 Compiler", "C1 compiler"), ("recompute", "recompute"),
         ("GC Thread", "GC pauses"), ("G1 Conc", "GC concurrent"), ("G1 Main Marker", "GC concurrent"),
         ("G1 Refine", "GC concurrent"), ("G1 ", "GC and VM, other"), ("VM Thread", "GC and VM, other"),
         ("executor-thr", "executor (API, alert checks)")]  # thread name prefixes (Linux keeps 15 characters)
tick, threads = os.sysconf("SC_CLK_TCK"), {}
for task in glob.glob(f"/proc/{sys.argv[1]}/task/*/stat"):
    try:
        s = open(task).read()
    except OSError:
        continue  # the thread ended meanwhile
    name, f = s[s.index("(") + 1:s.rindex(")")], s[s.rindex(")") + 2:].split()
    kind = next((k for prefix, k in KINDS if name.startswith(prefix)), "other")
    threads[task.split("/")[-2]] = [kind, (int(f[11]) + int(f[12])) / tick]
print(json.dumps(threads))
PY
}
thread_split() { # what each kind of thread of the first replica spent between two thread_cpu readings (a thread that
  # ended between them is left out)
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
d = {}
for tid, (kind, seconds) in b.items():
    d[kind] = d.get(kind, 0) + seconds - (a[tid][1] if tid in a else 0)
total = sum(d.values())
print("   the first replica's CPU by thread from the POST on: " + ", ".join(
    f"{k} {v:.1f} s ({100 * v / total:.0f} %)" for k, v in sorted(d.items(), key=lambda kv: -kv[1])))
PY
}
computed() { # groups the sweeps logged as computed ("Recomputed N pending groups in S s") in log $1 after its line $2
  tail -n +"$(($2 + 1))" "$1" | sed -n 's/.*Recomputed \([0-9]*\) pending groups.*/\1/p' | awk '{ n += $1 } END { print n + 0 }'
}
# the report ingestion window (wrk, random tokens of every device: what was accepted, stored and grown) and its
# pgbench reference; $BIG_VERSION is the payload version the reports name (body not indented: it holds heredocs)
measure_ingestion() {
echo "== report ingestion: wrk -t$T -c$C, random tokens of all $DEVICES devices (warm-up $WARM, then $RD)"
TOKENS_FILE=tokens.txt VERSION=$BIG_VERSION wrk -t"$T" -c"$C" -d"$WARM" -s "$BENCH/reports.lua" "$B/device/reports" > /dev/null
BEFORE=$(sql -c "SELECT sum(reports_received) FROM device")
SIZE_BEFORE=$(sql -c "SELECT pg_database_size('postgres')")
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
CPU_J0=$(cpu_seconds "$SERVICE_PID"); CPU_P0=$(cpu_seconds "$PG_PID")
TOKENS_FILE=tokens.txt VERSION=$BIG_VERSION wrk -t"$T" -c"$C" -d"$RD" --latency -s "$BENCH/reports.lua" "$B/device/reports" \
  > wrk-reports.txt 2>&1
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
CPU_J=$(python3 -c "print(round($(cpu_seconds "$SERVICE_PID") - $CPU_J0, 1))")
CPU_P=$(python3 -c "print(round($(cpu_seconds "$PG_PID") - $CPU_P0, 1))")
AFTER=$(sql -c "SELECT sum(reports_received) FROM device")
SIZE_AFTER=$(sql -c "SELECT pg_database_size('postgres')")
python3 - "$BEFORE" "$AFTER" "$SIZE_BEFORE" "$SIZE_AFTER" "$LOAD0" "$LOAD1" "$CPU_J" "$CPU_P" <<'PY' | tee -a results.txt
import re, sys
before, after, s0, s1 = (int(x) for x in sys.argv[1:5])
w = open("wrk-reports.txt").read()
total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", w).group(1))
secs = float(re.search(r"requests in ([\d.]+)(m?s|m)", w).group(1))
unit = re.search(r"requests in [\d.]+(\w+)", w).group(1)
secs = secs * 60 if unit == "m" else secs / 1000 if unit == "ms" else secs
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", w)) else 0
errors = re.search(r"Socket errors: (.*)", w)
p99 = re.search(r"\s99%\s+(\S+)", w).group(1)
accepted = total - non2xx
stored = after - before
print(f"reports: {accepted} accepted (202) in {secs:.1f}s = {accepted / secs:.0f}/s, non-2xx {non2xx},"
      f" socket errors: {errors.group(1) if errors else 'none'}, p99 {p99}")
print(f"reports stored (sum of device.reports_received): {stored} (accepted {accepted}:"
      f" {'every accepted report stored' if stored >= accepted else 'MISSING ' + str(accepted - stored)})")
print(f"database growth: {(s1 - s0) / 1024 / 1024:.1f} MiB, {(s1 - s0) / max(stored, 1):.0f} bytes per stored report")
print(f"load average 1 min: {sys.argv[5]} before, {sys.argv[6]} after; CPU in the window: service {sys.argv[7]}s,"
      f" PostgreSQL {sys.argv[8]}s ({float(sys.argv[7]) * 1e6 / max(accepted, 1):.0f} + "
      f"{float(sys.argv[8]) * 1e6 / max(accepted, 1):.0f} us per accepted report)")
PY
echo "service RSS high-water mark: $(service_mib VmHWM) MiB (heap $XMX)" | tee -a results.txt

echo "== reference: the same row update straight to PostgreSQL, one transaction per report (pgbench -c$C -j$T, $RD_REF)"
sql -c "CREATE TABLE bench_device_n AS SELECT row_number() OVER () AS n, id FROM device" \
    -c "CREATE UNIQUE INDEX ON bench_device_n (n)"
NDEV=$(sql -c "SELECT count(*) FROM bench_device_n")
cat > report.sql <<SQL
\set n random(1, $NDEV)
WITH r AS (UPDATE device SET reported_at = now(), reported_version = $BIG_VERSION, reported_installed = '[]',
  reported_failures = '[]', api_level = 33, reports_received = reports_received + 1
  WHERE id = (SELECT id FROM bench_device_n WHERE n = :n) AND revoked_at IS NULL RETURNING id)
UPDATE device_seen SET last_seen_at = now() FROM r
  WHERE device_id = r.id AND last_seen_at < now() - interval '1 minute';
SQL
pgbench -n -h 127.0.0.1 -p "$DB_PORT" -U postgres -c "$C" -j "$T" -T "${RD_REF%s}" -f report.sql postgres \
  > pgbench.txt 2>&1 || { tail -5 pgbench.txt; }
echo "reference (pgbench, one transaction per report): $(sed -n 's/^tps = \([0-9.]*\).*/\1/p' pgbench.txt | head -1) reports/s," \
  "latency average $(sed -n 's/^latency average = //p' pgbench.txt)" | tee -a results.txt
sql -c "DROP TABLE bench_device_n"
}

if [ -z "${REUSE:-}" ]; then
echo "== the big tenant through the API: admin key, group, one enrolled device"
TENANT=$(curl -sf -X POST "$B/tenants" -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' \
  -d '{"name":"scale-big"}' | json "['id']")
ADMIN=$(curl -sf -X POST "$B/tenants/$TENANT/api-keys" -H "Authorization: Bearer $OPERATOR" \
  -H 'Content-Type: application/json' -d '{"name":"bench","role":"admin"}' | json "['token']")
GROUP=$(curl -sf -X POST "$B/tenants/$TENANT/device-groups" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"big","minApiLevel":24,"maxApiLevel":36}' | json "['id']")
ENROLL=$(curl -sf -X POST "$B/tenants/$TENANT/enrollment-tokens" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d "{\"deviceGroupId\":\"$GROUP\",\"expiresInSeconds\":3600,\"maxUses\":1}" \
  | json "['token']")
FIRST=$(curl -sf -X POST "$B/enroll" -H 'Content-Type: application/json' \
  -d "{\"enrollmentToken\":\"$ENROLL\",\"hardwareId\":\"big-0\",\"apiLevel\":33}" | json "['deviceToken']")

echo "== generating $((TENANTS - 1)) tenants and $((GROUP_COUNT - 1)) groups by SQL"
START=$(date +%s.%N)
sql -c "INSERT INTO tenant (id, name, created_at)
        SELECT gen_random_uuid(), 'scale-' || i, now() FROM generate_series(1, $TENANTS - 1) i" \
    -c "CREATE TEMP TABLE t AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM tenant WHERE name LIKE 'scale-%' AND id <> '$TENANT'" \
    -c "INSERT INTO device_group (id, tenant_id, name, min_api_level, max_api_level, management_mode,
          include_sha256, exclude_sha256, created_at, updated_at, all_endpoints)
        SELECT gen_random_uuid(), t.id, 'group-' || g, 24 + (g / ($TENANTS - 1)) % 5 * 3, 36, 'FULLY_MANAGED', '[]', '[]',
          now(), now(), true
        FROM generate_series(0, $GROUP_COUNT - 2) g JOIN t ON t.n = g % ($TENANTS - 1)" \
    -c "\\copy (SELECT id, tenant_id FROM device_group WHERE id <> '$GROUP' ORDER BY id) TO 'groups.csv' WITH (FORMAT csv)"
echo "   took $(python3 -c "import time; print(round(time.time() - $START, 1))")s"

echo "== generating $((DEVICES - 1)) devices ($((BIG - 1)) more in the big tenant) and loading them with \\copy"
python3 - "$DEVICES" "$BIG" "$TENANT" "$GROUP" "$FIRST" <<'PY'
import base64, hashlib, secrets, sys, uuid, datetime
n, big, tenant, group, first = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
groups = [line.strip().split(",") for line in open("groups.csv")]
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
with open("tokens.txt", "w") as tokens, open("devices.csv", "w") as csv:
    tokens.write(first + "\n")
    for i in range(1, n):
        token = "tfd_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        tokens.write(token + "\n")
        g, t = (group, tenant) if i < big or not groups else groups[i % len(groups)]
        digest = hashlib.sha256(token.encode()).hexdigest()
        csv.write(f"{uuid.uuid4()},{t},{g},dev-{i},\\x{digest},33,{now}\n")
PY
START=$(date +%s.%N)
# each device gets its last-seen row (device_seen, its enrolled_at) from the insert trigger of migration V37
sql -c "\\copy device (id, tenant_id, device_group_id, hardware_id, token_hash, api_level, enrolled_at) FROM 'devices.csv' WITH (FORMAT csv)" \
    -c "ANALYZE"
echo "   load took $(python3 -c "import time; print(round(time.time() - $START, 1))")s;" \
  "$(sql -c 'SELECT count(*) FROM tenant') tenants, $(sql -c 'SELECT count(*) FROM device_group') groups," \
  "$(sql -c 'SELECT count(*) FROM device') devices, database $(sql -c "SELECT pg_size_pretty(pg_database_size('postgres'))")"
curl -sf -o /dev/null -H "Authorization: Bearer $(tail -1 tokens.txt)" "$B/device/payload" \
  || echo "   (the last generated token did not fetch a payload)"

echo "== endpoints: one scanned through the API, $((ENDPOINTS - 1)) cloned by SQL ($BIG_ENDPOINTS in the big tenant), $SCANS scans each"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem -days 3650 \
  -subj "/CN=Scale Bench Private Root" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -out int.csr \
  -subj "/CN=Scale Bench Issuing CA" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > int.ext
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1825 -extfile int.ext -out int.pem 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
  -subj "/CN=sts.scale.test" 2>/dev/null
printf 'subjectAltName=DNS:sts.scale.test\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 365 -extfile leaf.ext -out leaf.pem 2>/dev/null
cat int.pem root.pem > chain.pem
TLS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert leaf.pem -key leaf.key -cert_chain chain.pem -www -quiet \
  > s_server.log 2>&1 &
TLS_PID=$!
sleep 1
ENDPOINT=$(curl -sf -X POST "$B/tenants/$TENANT/endpoints" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"ep-0\",\"host\":\"127.0.0.1\",\"port\":$TLS_PORT,\"serverName\":\"sts.scale.test\",\"scanIntervalMinutes\":10080}" \
  | json "['id']")
TEMPLATE_SCAN=$(curl -sf -X POST "$B/tenants/$TENANT/endpoints/$ENDPOINT/scans" -H "Authorization: Bearer $ADMIN" \
  | json "['id']")
TEMPLATE_STATUS=$(sql -c "SELECT status FROM scan WHERE id = '$TEMPLATE_SCAN'")
echo "   template scan: $TEMPLATE_STATUS"
[ "$TEMPLATE_STATUS" = OK ] || { echo "the template scan did not reach the TLS server: nothing to clone" >&2; exit 1; }
# only this scan is cloned: the scheduler may scan the endpoint again once the TLS server is gone (refused)
kill "$TLS_PID" 2>/dev/null || true; TLS_PID=""
START=$(date +%s.%N)
LEAF_SHA=$(openssl x509 -in leaf.pem -outform DER | sha256sum | cut -d' ' -f1)
LEAVES_CSV=$WORK/leaves.csv
: > "$LEAVES_CSV"
if [ "${SHARED_LEAF:-0}" != 1 ]; then
  python3 - "$ENDPOINTS" "$(sql -c "SELECT chain_key FROM scan WHERE id = '$TEMPLATE_SCAN'")" <<'PY'
# one leaf certificate per cloned endpoint, as the template's (subject, names, key, extensions, validity) but with a
# serial number and so a signature of its own: each endpoint's chain is checked on its own, as in a real fleet
import csv, hashlib, secrets, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
n, template_key = int(sys.argv[1]), sys.argv[2]
pem = lambda f: x509.load_pem_x509_certificate(open(f, "rb").read())
leaf, ca, root = pem("leaf.pem"), pem("int.pem"), pem("root.pem")
ca_key = serialization.load_pem_private_key(open("int.key", "rb").read(), None)
sha = lambda c: hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).hexdigest()
key_of = lambda *shas: hashlib.sha256(",".join(shas).encode()).hexdigest()  # Sha256.ofChainIds
rest = [sha(ca), sha(root)]
if key_of(sha(leaf), *rest) != template_key:
    raise SystemExit("the template scan's chain is not leaf, intermediate, root: its chain key differs")
with open("leaves.csv", "w", newline="") as out:
    w = csv.writer(out)
    for i in range(1, n):
        b = (x509.CertificateBuilder().subject_name(leaf.subject).issuer_name(leaf.issuer)
             .public_key(leaf.public_key()).serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
             .not_valid_before(leaf.not_valid_before_utc).not_valid_after(leaf.not_valid_after_utc))
        for e in leaf.extensions:
            b = b.add_extension(e.value, e.critical)
        c = b.sign(ca_key, hashes.SHA256())
        s = sha(c)
        w.writerow([i, s, "\\x" + c.public_bytes(serialization.Encoding.DER).hex(), key_of(s, *rest)])
PY
  echo "   $(wc -l < "$LEAVES_CSV") leaf certificates generated in $(python3 -c "import time; print(round(time.time() - $START, 1))")s"
fi
# jsonb_populate_record keeps every column of the template row (whatever later migrations added) but the ones named
sql -c "CREATE TEMP TABLE ep AS SELECT row_number() OVER () AS n, * FROM (
          SELECT gen_random_uuid() AS id, '$TENANT'::uuid AS tenant_id, 'ep-' || i AS name
          FROM generate_series(1, LEAST($BIG_ENDPOINTS, $ENDPOINTS) - 1) i
          UNION ALL
          SELECT gen_random_uuid(), t.id, 'ep-' || i
          FROM generate_series(0, $ENDPOINTS - LEAST($BIG_ENDPOINTS, $ENDPOINTS) - 1) i
          JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM tenant WHERE id <> '$TENANT') t
            ON t.n = i % ($TENANTS - 1)) x" \
    -c "CREATE TEMP TABLE leaf (n bigint PRIMARY KEY, sha256 char(64), der bytea, chain_key text)" \
    -c "\\copy leaf FROM '$LEAVES_CSV' WITH (FORMAT csv)" \
    -c "INSERT INTO certificate (sha256, der, subject, issuer, not_before, not_after, is_ca, first_seen)
        SELECT l.sha256, l.der, c.subject, c.issuer, c.not_before, c.not_after, c.is_ca, c.first_seen
        FROM leaf l, certificate c WHERE c.sha256 = '$LEAF_SHA'" \
    -c "INSERT INTO endpoint SELECT (jsonb_populate_record(e, jsonb_build_object('id', ep.id, 'tenant_id', ep.tenant_id,
          'name', ep.name))).* FROM endpoint e, ep WHERE e.id = '$ENDPOINT'" \
    -c "INSERT INTO scan (id, endpoint_id, tenant_id, started_at, duration_ms, status, trigger, scheduled_for,
          instance, tls_version, cipher_suite, address, error_detail, chain_key, document)
        SELECT gen_random_uuid(), ep.id, ep.tenant_id, s.started_at - make_interval(hours => 6 * k), s.duration_ms,
          s.status, s.trigger, NULL, s.instance, s.tls_version, s.cipher_suite, s.address, s.error_detail,
          COALESCE(l.chain_key, s.chain_key),
          CASE WHEN l.n IS NULL THEN s.document ELSE replace(s.document::text, '$LEAF_SHA', l.sha256)::jsonb END
        FROM scan s, ep LEFT JOIN leaf l ON l.n = ep.n, generate_series(0, $SCANS - 1) k
        WHERE s.id = '$TEMPLATE_SCAN'" \
    -c "ANALYZE"
echo "   took $(python3 -c "import time; print(round(time.time() - $START, 1))")s;" \
  "$(sql -c 'SELECT count(*) FROM endpoint') endpoints, $(sql -c 'SELECT count(*) FROM scan') scans," \
  "database $(sql -c "SELECT pg_size_pretty(pg_database_size('postgres'))")"

echo "== every group's requirements computed by the background recompute (placeholders marked pending)"
sql -c "INSERT INTO group_requirements (group_id, tenant_id, version, set_key, computed_at, document, recompute_wanted)
        SELECT id, tenant_id, 0, '', now(), '{}', 1 FROM device_group ON CONFLICT (group_id) DO
        UPDATE SET recompute_wanted = group_requirements.recompute_wanted + 1"
echo "initial compute: $(sql -c 'SELECT count(*) FROM group_requirements') groups in $(wait_recomputed)" \
  | tee -a results.txt
BIG_VERSION=$(sql -c "SELECT version FROM group_requirements WHERE group_id = '$GROUP'")

measure_ingestion

echo "== compliance of $SAMPLE random devices: the API's state against a recomputation from the database"
sql -c "\\copy (SELECT d.id, d.device_group_id, s.last_seen_at < now() - interval '7 days', d.reported_version,
          d.reported_installed, d.reported_failures FROM device d JOIN device_seen s ON s.device_id = d.id
          WHERE d.tenant_id = '$TENANT'
          ORDER BY random() LIMIT $SAMPLE) TO 'sample.csv' WITH (FORMAT csv)"
python3 - "$HTTP_PORT" "$ADMIN" "$TENANT" <<'PY' | tee -a results.txt
# the rule, restated independently of the service: STALE, else PENDING (no group, no report, older version), else
# FAILED (failures), else DRIFTED (installed set differs), else COMPLIANT
import csv, http.client, json, sys
port, token, tenant = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
h = {"Authorization": "Bearer " + token}
def get(path):
    conn.request("GET", path, headers=h); r = conn.getresponse(); body = r.read()
    if r.status != 200: raise SystemExit("%s -> %d" % (path, r.status))
    return json.loads(body)
desired, checked, wrong = {}, 0, []
for device, group, stale, version, installed, failures in csv.reader(open("sample.csv")):
    if group and group not in desired:
        req = get("/api/v1/tenants/%s/device-groups/%s/requirements" % (tenant, group))
        desired[group] = (req["version"], {c["sha256"] for c in req["certificates"]})
    if stale == "t": expected = "STALE"
    elif not group or version == "" or int(version) < desired[group][0]: expected = "PENDING"
    elif json.loads(failures or "[]"): expected = "FAILED"
    elif set(json.loads(installed)) != desired[group][1]: expected = "DRIFTED"
    else: expected = "COMPLIANT"
    actual = get("/api/v1/tenants/%s/devices/%s" % (tenant, device))["compliance"]["state"]
    checked += 1
    if actual != expected: wrong.append((device, expected, actual))
print("compliance sample: %d devices checked, %d disagree%s" % (checked, len(wrong), (": %s" % wrong[:5]) if wrong else ""))
PY

else
  echo "== reusing $WORK: groups left pending by the earlier run computed first"
  echo "   done in $(wait_recomputed)"
  restore_reports  # a MOSTLY_COMPLIANT run stopped before it put them back
  # the kept database was stopped right after the earlier run's writes, before autovacuum caught up with them
  T0=$(date +%s.%N); sql -c "VACUUM (ANALYZE)"
  echo "   VACUUM (ANALYZE) of the kept database: $(python3 -c "import time; print(round(time.time() - $T0, 1))")s"
  TENANT=$(sql -c "SELECT id FROM tenant WHERE name = 'scale-big'")
  BIG=$(sql -c "SELECT count(*) FROM device WHERE tenant_id = '$TENANT'")
  ADMIN=$(curl -sf -X POST "$B/tenants/$TENANT/api-keys" -H "Authorization: Bearer $OPERATOR" \
    -H 'Content-Type: application/json' -d '{"name":"bench-reuse","role":"admin"}' | json "['token']")
  if [ "${INGEST:-0}" = 1 ]; then  # the ingestion window again, on this data (a COPY_OF= run leaves the kept rows alone)
    DEVICES=$(sql -c "SELECT count(*) FROM device")
    BIG_VERSION=$(sql -c "SELECT r.version FROM group_requirements r JOIN device_group g ON g.id = r.group_id
                          WHERE g.tenant_id = '$TENANT' AND g.name = 'big'")
    measure_ingestion
  fi
fi

if [ "${MOSTLY_COMPLIANT:-0}" = 1 ]; then
  # the generated big tenant has no compliant device (its reports name an empty set); an operator's fleet is mostly
  # compliant, which changes how the report finds its non-compliant devices. The generated reports are kept aside
  # and put back after the measurements.
  sql -c "CREATE TABLE bench_saved_reports AS SELECT d.id, d.reported_at, d.reported_version, d.reported_installed,
            d.reported_failures, s.last_seen_at FROM device d JOIN device_seen s ON s.device_id = d.id
            WHERE d.tenant_id = '$TENANT'"
  for G in $(sql -c "SELECT DISTINCT device_group_id FROM device WHERE tenant_id = '$TENANT'
                       AND device_group_id IS NOT NULL"); do
    read -r V I < <(curl -sf "$B/tenants/$TENANT/device-groups/$G/requirements" -H "Authorization: Bearer $ADMIN" \
      | python3 -c 'import json, sys; d = json.load(sys.stdin)
print(d["version"], json.dumps(sorted(c["sha256"] for c in d["certificates"]), separators=(",", ":")))')
    sql -c "UPDATE device SET reported_version = $V, reported_installed = '$I', reported_failures = '[]',
              reported_at = now() WHERE tenant_id = '$TENANT' AND device_group_id = '$G'" \
        -c "UPDATE device_seen s SET last_seen_at = now() FROM device d
              WHERE s.device_id = d.id AND d.tenant_id = '$TENANT' AND d.device_group_id = '$G'"
  done
  # 50 devices keep their generated reports: the non-compliant ones the report lists
  copy_back_reports "(SELECT * FROM bench_saved_reports ORDER BY md5(id::text) LIMIT 50)"
  sql -c "VACUUM (ANALYZE) device" -c "VACUUM (ANALYZE) device_seen"
  echo "   MOSTLY_COMPLIANT=1: the big tenant's devices by compliance state:" "$(curl -sf \
    "$B/tenants/$TENANT/drift-report" -H "Authorization: Bearer $ADMIN" | json "['devices']['byState']")"
fi
echo "== device listing of the big tenant ($BIG devices), pages of 100 to the end; drift report x${DRIFT_N:-20} after ${DRIFT_WARM:-3}"
python3 "$BENCH/pages.py" "$HTTP_PORT" "$ADMIN" "/api/v1/tenants/$TENANT/devices?limit=100" \
  "/api/v1/tenants/$TENANT/drift-report" "${DRIFT_N:-20}" "${DRIFT_WARM:-3}" | tee -a results.txt
explain_ms() { sql -c "EXPLAIN (ANALYZE, TIMING OFF) $1" | sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p'; }
MID=$(sql -c "SELECT id FROM device WHERE tenant_id = '$TENANT' ORDER BY id OFFSET $((BIG / 2)) LIMIT 1")
echo "reference (the SQL alone, EXPLAIN ANALYZE): a device page of 100 at half depth $(explain_ms "SELECT d.*, s.last_seen_at
  FROM device d JOIN device_seen s ON s.device_id = d.id WHERE d.tenant_id = '$TENANT' AND d.id > '$MID'
  ORDER BY d.id LIMIT 100") ms; the tenant's devices grouped for compliance
  from their rows (what the drift report read before the tally, V36)
  $(explain_ms "SELECT d.device_group_id, s.last_seen_at < now() - interval '7 days', d.reported_version,
  d.reported_installed, COALESCE(d.reported_failures, '[]') <> '[]', min(d.reported_failures), min(s.last_seen_at),
  count(*) FROM device d JOIN device_seen s ON s.device_id = d.id
  WHERE d.tenant_id = '$TENANT' GROUP BY 1, 2, 3, 4, 5") ms" | tee -a results.txt
restore_reports

# The fleet's fetches alone (FLEET_D, default 60s; 0 skips them): payloads paced at $STORE_RATE/s, first from random
# tokens of every device (50,000 groups: a group's payload is fetched about every 45 s, each time later than
# trustfleet.payload.cache-check-interval, 15 s, after the last, so most fetches re-check it against the database),
# then, as the reference in the same run, from random tokens of the big tenant's devices (one group: every fetch the
# same payload, re-checked every 15 s in all, the case bench/payload measures). Each after a warm-up at the same pace:
# FLEET_WARM (default 300s) before the first, long enough for nearly every group's payload and every tenant's signer
# to have been loaded once (what a replica that has served its fleet for a while holds: the figure is its steady
# state, not its first minutes), REF_WARM (default 30s) before the reference; the service's and PostgreSQL's CPU per
# fetch served.
fleet_fetches() { # $1: what the tokens are, $2: the tokens file, $3: the warm-up
  DELAY_MS=$((C * 1000 / STORE_RATE)) TOKENS_FILE=$2 wrk -t"$T" -c"$C" -d"$3" \
    -s "$REPO/bench/payload/tokens.lua" "$B/device/payload" > /dev/null 2>&1
  local j0 p0; j0=$(service_cpu); p0=$(cpu_seconds "$PG_PID")
  DELAY_MS=$((C * 1000 / STORE_RATE)) TOKENS_FILE=$2 wrk -t"$T" -c"$C" -d"$FLEET_D" --latency \
    -s "$REPO/bench/payload/tokens.lua" "$B/device/payload" > wrk-fleet.txt 2>&1
  local j1 p1 total rate non2xx p99; j1=$(service_cpu); p1=$(cpu_seconds "$PG_PID")
  read -r total rate non2xx p99 < <(python3 "$BENCH/wrk_figures.py" wrk-fleet.txt)
  echo "   $1: $total requests, $rate/s, non-2xx $non2xx, p99 $p99; CPU per fetch: service" \
    "$(python3 -c "print(round(($j1 - $j0) * 1e6 / $total))") us, PostgreSQL" \
    "$(python3 -c "print(round(($p1 - $p0) * 1e6 / $total))") us"
}
FLEET_D=${FLEET_D:-60s}
if [ "$FLEET_D" != 0 ]; then
  echo "== payload fetches at the fleet's rate (about $STORE_RATE/s for $FLEET_D, after ${FLEET_WARM:-300s}, the" \
    "reference after ${REF_WARM:-30s} at that pace)" | tee -a results.txt
  fleet_fetches "random tokens of all $(wc -l < tokens.txt) devices" tokens.txt "${FLEET_WARM:-300s}" \
    | tee -a results.txt
  head -n "$BIG" tokens.txt > tokens-big.txt
  fleet_fetches "reference, random tokens of the big tenant's $BIG devices (one group)" tokens-big.txt \
    "${REF_WARM:-30s}" | tee -a results.txt
fi

if [ "${ALERT_CHECKS:-0}" = 1 ]; then
  echo "== alert checks of every tenant: the first after start and the next (every ${ALERT_INTERVAL:-2m})"
  for _ in $(seq 1 300); do
    [ "$(grep -ac 'alert checks of' service.log)" -ge 2 ] && break
    sleep 3
  done
  python3 - <<'PY' | tee -a results.txt
import re
checks = re.findall(r"alert checks of (\d+) tenants took (\d+) ms", open("service.log", errors="replace").read())
print("alert checks of every tenant:", "; ".join(f"{name} {int(ms) / 1000:.1f} s ({int(n):,} tenants)"
      for name, (n, ms) in zip(("first after start (fills this replica's caches, raises the first alerts)",
                                "next"), checks)) or "none logged")
PY
  echo "reference (the SQL alone, EXPLAIN ANALYZE): every tenant's devices counted from the tally in one statement \
$(explain_ms "SELECT tenant_id, device_group_id, active, count(*), sum(devices) FROM device_tally GROUP BY 1, 2, 3") ms" \
    | tee -a results.txt
fi

if [ "${LATEST_SCANS:-0}" = 1 ]; then
  # The latest scan of each of the big tenant's endpoints as the recompute, the drift report and the console read it
  # (ScanService.LATEST_OF_EACH: one index descent an endpoint) against the form before 2026-12-07 (every scan of an
  # endpoint compared with its latest start), each the median of 5 EXPLAIN ANALYZE runs after one unmeasured, first
  # on the generated history (SCANS an endpoint), then after the big tenant's endpoints are given HISTORY scans each
  # (default 360: a scan every six hours kept 90 days, the defaults), copies of each one's latest, older than it.
  # Adds rows: use it with COPY_OF and SKIP_STORE=1.
  IDS="ARRAY(SELECT id FROM endpoint WHERE tenant_id = '$TENANT')"
  LATEST_NEW="SELECT s.id, s.presented_sha256s, s.completed_path_sha256s, s.server_fix_chain_sha256s
    FROM (SELECT DISTINCT unnest($IDS)) AS e(endpoint_id)
    CROSS JOIN LATERAL (SELECT * FROM scan t WHERE t.endpoint_id = e.endpoint_id
                        ORDER BY t.started_at DESC, t.id DESC LIMIT 1) s"
  LATEST_OLD="SELECT s.id, s.presented_sha256s, s.completed_path_sha256s, s.server_fix_chain_sha256s
    FROM scan s WHERE s.endpoint_id = ANY($IDS) AND s.started_at =
      (SELECT max(t.started_at) FROM scan t WHERE t.endpoint_id = s.endpoint_id)"
  median_ms() { explain_ms "$1" > /dev/null; for _ in 1 2 3 4 5; do explain_ms "$1"; done | sort -n | sed -n 3p; }
  latest_scans() {
    echo "   $1: one descent an endpoint $(median_ms "$LATEST_NEW") ms; reference, every scan compared with the" \
      "latest start $(median_ms "$LATEST_OLD") ms ($(sql -c "SELECT count(*) FROM scan s JOIN endpoint e
        ON e.id = s.endpoint_id WHERE e.tenant_id = '$TENANT'") scans of $(sql -c "SELECT count(*) FROM endpoint
        WHERE tenant_id = '$TENANT'") endpoints)" | tee -a results.txt
  }
  echo "== the latest scan of each of the big tenant's endpoints (the SQL alone, EXPLAIN ANALYZE, median of 5)" \
    | tee -a results.txt
  latest_scans "the generated history"
  copied() { sql -c "SELECT string_agg($1 column_name, ', ' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_name = 'scan' AND is_generated = 'NEVER'
    AND column_name NOT IN ('id', 'started_at', 'scheduled_for')"; }
  HAS=$(sql -c "SELECT round(count(*)::numeric / count(DISTINCT s.endpoint_id)) FROM scan s
    JOIN endpoint e ON e.id = s.endpoint_id WHERE e.tenant_id = '$TENANT'")
  sql -c "INSERT INTO scan (id, started_at, scheduled_for, $(copied ""))
    SELECT gen_random_uuid(), l.started_at - g * interval '6 hours', NULL, $(copied "'l.' ||")
    FROM (SELECT DISTINCT ON (s.endpoint_id) s.* FROM scan s JOIN endpoint e ON e.id = s.endpoint_id
          WHERE e.tenant_id = '$TENANT' ORDER BY s.endpoint_id, s.started_at DESC) l
    CROSS JOIN generate_series(1, ${HISTORY:-360} - $HAS) g" -c "VACUUM (ANALYZE) scan"
  latest_scans "${HISTORY:-360} scans an endpoint"
  # the drift report again, as the service (JAR=...) reads the latest scans (its group list is one page)
  python3 "$BENCH/pages.py" "$HTTP_PORT" "$ADMIN" "/api/v1/tenants/$TENANT/device-groups" \
    "/api/v1/tenants/$TENANT/drift-report" "${DRIFT_N:-20}" "${DRIFT_WARM:-3}" \
    | sed -n "s/^drift /   the drift report at ${HISTORY:-360} scans an endpoint: /p" | tee -a results.txt
fi

if [ "${SIGN_ALL:-0}" = 1 ]; then
  # A fleet whose devices fetch every 15 minutes has a signed payload for every group that has a device; the
  # generation run fetches at $STORE_RATE for a few minutes and leaves most groups without one, so that a store
  # change's fetches sign them on demand as well. Here one device of each group without a signed payload fetches it
  # once (16 at a time), and the groups with a device but still without one are counted.
  sql -c "\\copy (SELECT g.id FROM device_group g WHERE NOT EXISTS (SELECT 1 FROM signed_payload p
            WHERE p.group_id = g.id)) TO 'unsigned.csv' WITH (FORMAT csv)"
  echo "== every group's payload signed: one device of each of the $(wc -l < unsigned.csv) groups without one fetches it"
  T0=$(date +%s.%N)
  python3 - "$HTTP_PORT" "$(sql -c "SELECT device_group_id FROM device WHERE hardware_id = 'big-0'")" <<'PY' | tee -a results.txt
import concurrent.futures, http.client, sys, threading
port, big_group = int(sys.argv[1]), sys.argv[2]
unsigned = {line.strip() for line in open("unsigned.csv")}
one = {}  # a token of each unsigned group (tokens.txt lists big-0 first, then devices.csv's devices in order)
with open("tokens.txt") as tokens, open("devices.csv") as devices:
    groups = [big_group] + [line.split(",")[2] for line in devices]
    for token, group in zip(tokens, groups):
        if group in unsigned and group not in one:
            one[group] = token.strip()
local = threading.local()
def fetch(token):
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    local.conn.request("GET", "/api/v1/device/payload", headers={"Authorization": "Bearer " + token})
    response = local.conn.getresponse()
    response.read()
    return response.status
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    statuses = list(pool.map(fetch, one.values()))
print("   SIGN_ALL=1: %d fetches, one per group without a signed payload: %d answered 200, %d otherwise" % (
    len(statuses), statuses.count(200), len(statuses) - statuses.count(200)))
PY
  echo "   in $(python3 -c "import time; print(round(time.time() - $T0, 1))")s; groups with a device and no signed" \
    "payload left: $(sql -c "SELECT count(DISTINCT d.device_group_id) FROM device d WHERE d.device_group_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM signed_payload p WHERE p.group_id = d.device_group_id)")" | tee -a results.txt
fi

if [ "${SKIP_STORE:-0}" = 1 ]; then echo "== SKIP_STORE=1: no store change"; exit 0; fi
# STORE_CHANGES=2: a second store change right after the first, on the same replica (its caches as the first
# left them: what a replica that has judged the endpoints before does); RESTART_BETWEEN=1: on the same database
# but the service started again before it (what a replica that has just started does)
for CHANGE in $(seq 1 "${STORE_CHANGES:-1}"); do
  if [ "$CHANGE" -gt 1 ] && [ "${RESTART_BETWEEN:-0}" = 1 ]; then
    echo "== the service stopped and started again (RESTART_BETWEEN=1): its memory is gone, the database is kept"
    stop_replica2  # before the first replica, whose embedded PostgreSQL it uses
    kill "$SERVICE_PID"; wait "$SERVICE_PID" || true
    T0=$(date +%s.%N); start_service; start_replica2
    VERDICTS="none (a build without the table)"
    [ "$(sql -c "SELECT to_regclass('signature_verdict') IS NOT NULL")" = t ] \
      && VERDICTS=$(sql -c "SELECT count(*) FROM signature_verdict")
    echo "   ready again in $(python3 -c "import time; print(round(time.time() - $T0, 1))")s; signature verdicts in the" \
      "database: $VERDICTS"
  fi
  echo "== store change $CHANGE: a platform store for level 36 ($([ "${STORE_ALTERS:-0}" = 1 ] && [ $((CHANGE % 2)) = 1 ] \
    && echo "without the run's root" || echo "with the run's root")), while wrk fetches payloads (about $STORE_RATE/s, $STORE_D)"
  STORE_TOKENS=tokens.txt
  if [ "${STORE_ETAGS:-0}" = 1 ]; then
    # each device sends the ETag of its group's payload as stored now (none where none is): devices that fetched
    # before, as a fleet's do, answered 304 until their group's payload changes
    sql -c "\\copy (SELECT group_id, etag FROM signed_payload) TO 'etags.csv' WITH (FORMAT csv)"
    python3 - "$(sql -c "SELECT device_group_id FROM device WHERE hardware_id = 'big-0'")" <<'PY'
import sys
etags = dict(line.strip().split(",") for line in open("etags.csv"))
with open("tokens.txt") as tokens, open("devices.csv") as devices, open("tokens-etags.txt", "w") as out:
    groups = [sys.argv[1]] + [line.split(",")[2] for line in devices]
    for token, group in zip(tokens, groups):
        tag = etags.get(group)
        out.write(token.strip() + (f' "{tag}"' if tag else "") + "\n")
PY
    STORE_TOKENS=tokens-etags.txt
    echo "   devices send their group's stored ETag: $(grep -c ' ' tokens-etags.txt) of $(wc -l < tokens-etags.txt)"
  fi
  STATUSES=1 DELAY_MS=$((C * 1000 / STORE_RATE)) TOKENS_FILE=$STORE_TOKENS wrk -t"$T" -c"$C" -d"$STORE_D" --latency \
    -s "$REPO/bench/payload/tokens.lua" "$B/device/payload" > wrk-store.txt 2>&1 &
  WRK_PID=$!
  sleep "${STORE_WARM:-10}"
  # a store that differs from the one stored before: the root alone, or the root and the intermediate when the store
  # (of an earlier run on the same data) already holds the root alone. Both judge every chain alike, so the groups'
  # documents stay as they were; STORE_ALTERS=1: a store without the run's root (an unrelated one) in odd changes and
  # the root alone in even ones, each changing the level-36 verdicts and with them the documents of the groups that
  # cover level 36, as the generation run's first store change does
  STORED=$(curl -sf "$B/trust-stores" -H "Authorization: Bearer $OPERATOR" | python3 -c 'import json, sys
print(next((s["certificateCount"] for s in json.load(sys.stdin) if s["name"] == "scale-bench-36"), 0))')
  STORE_PEMS=root.pem
  [ "$STORED" != 1 ] || STORE_PEMS="root.pem int.pem"
  if [ "${STORE_ALTERS:-0}" = 1 ]; then
    [ -f other.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
      -out other.pem -days 3650 -subj "/CN=Scale Bench Unrelated Root" -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    STORE_PEMS=root.pem
    [ $((CHANGE % 2)) = 0 ] || STORE_PEMS=other.pem
  fi
  python3 -c 'import json, sys; print(json.dumps({"name": "scale-bench-36", "platform": "android", "apiLevel": 36,
    "pem": "".join(open(f).read() for f in sys.argv[1:])}))' $STORE_PEMS > store.json
  LOGGED_1=$(wc -l < service.log); LOGGED_2=$([ -f service-2.log ] && wc -l < service-2.log || echo 0)
  THREADS0=$(thread_cpu "$SERVICE_PID")
  T0=$(date +%s.%N); echo "   store POST sent at $(date -u +%T) UTC"
  curl -sf -o /dev/null -w '%{http_code}' -X POST "$B/trust-stores" -H "Authorization: Bearer $OPERATOR" \
    -H 'Content-Type: application/json' --data-binary @store.json | sed 's/^/   store POST answered /'
  echo " after $(python3 -c "import time; print(round(time.time() - $T0, 2))")s"
  echo "store change $CHANGE: every group recomputed $(wait_recomputed) after the store POST returned ($(sql -c \
    'SELECT count(*) FROM group_requirements') groups)" | tee -a results.txt
  thread_split "$THREADS0" "$(thread_cpu "$SERVICE_PID")" | tee -a results.txt
  if [ "$REPLICAS" = 2 ]; then
    sleep 2  # a sweep logs once it has seen its queue empty
    echo "   groups computed by replica 1: $(computed service.log "$LOGGED_1"), by replica 2: $(computed service-2.log \
      "$LOGGED_2")" | tee -a results.txt
  fi
  # what every group's recompute wrote: its requirements document, as JSON text and as stored (compressed)
  echo "requirements documents after it: $(sql -F' ' -c "SELECT round(avg(octet_length(document::text))),
    round(avg(pg_column_size(document))) FROM group_requirements" | awk '{print $1 " bytes of JSON, " $2 " bytes stored"}') on average" | tee -a results.txt
  kill -INT "$WRK_PID" 2>/dev/null || true  # wrk stops and reports
  wait "$WRK_PID" || true
  read -r TOTAL RATE NON2XX P99 < <(python3 "$BENCH/wrk_figures.py" wrk-store.txt)
  echo "payload delivery during the store change (fetching from ${STORE_WARM:-10} s before the POST): $TOTAL" \
    "requests, $RATE/s, non-2xx $NON2XX, p99 $P99 ($(grep -a '^Answered' wrk-store.txt | sed 's/^Answered //'))" \
    | tee -a results.txt
  # the memory the replica holds: its peak RSS so far, and the buffers outside the heap (the payloads' signed bytes)
  DIRECT=$(curl -sf "http://127.0.0.1:$HTTP_PORT/q/metrics" | awk '/^jvm_buffer_memory_used_bytes\{.*id="direct"/ {
    printf "%.0f", $NF / 1048576 }')
  echo "service memory after it: RSS high-water mark $(service_mib VmHWM) MiB, RSS $(service_mib VmRSS) MiB" \
    "(heap $XMX), direct buffers ${DIRECT:-?} MiB" | tee -a results.txt
done
# the replicas' own background work beside the changes (the alert checks: how long a pass took, or where a stop
# ended it), by the times of their log lines
echo "== the sweeps and the alert checks, as logged"
grep -ah "Recomputed .* pending groups\|alert checks" service.log \
  $([ -f service-2.log ] && echo service-2.log) | sed 's/^/   /' || true
echo "== $(date -u +%FT%TZ) load after: $(cut -d' ' -f1-3 /proc/loadavg)"
