#!/usr/bin/env bash
# Payload delivery: GET /api/v1/device/payload with many distinct device tokens (200s, and 304s with If-None-Match)
# against nginx serving the same bytes as a static file, in the same run, at the same concurrency; with DEVICES
# enrolled devices in the service's embedded database. See bench/README.md, section "Payload delivery".
#
#   bench/payload/run.sh                       # 100,000 devices, wrk -t2 -c64 -d20s
#   DEVICES=100000 HOT=1000 C=64 T=2 D=20s XMX=512m bench/payload/run.sh
#   PROFILE=service-304-all KEEP=1 bench/payload/run.sh   # plus a JFR CPU profile of the service during that row
#   ROUNDS=4 D=5s bench/payload/run.sh         # every row measured in 4 slices of 5 s, the rows taking turns, so that
#                                              # a change of the machine's speed meets the service and nginx alike
#   JAVA_OPTS="-Dkey=value" bench/payload/run.sh   # extra JVM options for the service
#   JAR=/other/checkout/service/target/quarkus-app/quarkus-run.jar bench/payload/run.sh   # another build (see compare.sh)
#   WARM_ALL=1 DEVICES=1000000 XMX=900m JAVA_OPTS=-Dtrustfleet.device.auth-cache-max-entries=1100000 bench/payload/run.sh
#                                              # a warm replica: every token shown once before the rows are measured
#   RESTART=1 DEVICES=1000000 XMX=700m JAVA_OPTS=-Dtrustfleet.device.auth-cache-max-entries=1000000 bench/payload/run.sh
#                                              # a replica started on the loaded fleet (restarted after the load):
#                                              # the rows start once it has preloaded the credentials it reads at start
#
# How the devices get there: one device is enrolled through the API (which creates the tenant's signer); the other
# DEVICES-1 are generated here (random tfd_ tokens, their SHA-256 as the stored hash, exactly what enrollment stores)
# and loaded with psql \copy into the service's own embedded PostgreSQL (port taken from the service log).
# wrk then picks a random token per request, from all DEVICES tokens ("all") and from a HOT-token subset ("hot",
# every token re-used within seconds, so always served from the token cache).
#
# Needs: a JDK 21+, curl, python3, psql (postgresql-client), wrk, nginx (Debian: apt-get install -y wrk nginx-light
# postgresql-client). Installs nothing; CI does not run benchmarks.
set -euo pipefail

DEVICES=${DEVICES:-100000}
HOT=${HOT:-1000}
C=${C:-64}
T=${T:-2}
D=${D:-20s}
ROUNDS=${ROUNDS:-1}
WARM=${WARM:-10s}
XMX=${XMX:-512m}
HTTP_PORT=${HTTP_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$REPO/bench/payload"
missing=0
for tool in java curl python3 psql wrk nginx; do
  if ! command -v "$tool" >/dev/null; then echo "missing: $tool" >&2; missing=1; fi
done
if [ "$missing" = 1 ]; then
  echo "install the tools first (Debian: apt-get install -y wrk nginx-light postgresql-client python3 curl)" >&2
  exit 2
fi

JAR=${JAR:-"$REPO/service/target/quarkus-app/quarkus-run.jar"}
if [ ! -f "$JAR" ] && [ "$JAR" = "$REPO/service/target/quarkus-app/quarkus-run.jar" ]; then
  echo "== building the service jar"
  (cd "$REPO" && ./mvnw -B -q package -DskipTests)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustfleet-payload-bench.XXXXXX")
SERVICE_PID=""
NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
cd "$WORK"

OPERATOR=tfo_bench-$(python3 -c 'import secrets; print(secrets.token_hex(16))')
start_service() { # log file
  echo "== starting the service (heap $XMX) in $WORK"
  # shellcheck disable=SC2086  # JAVA_OPTS: extra JVM options, word-split on purpose
  java "-Xmx$XMX" ${JAVA_OPTS:-} -Dquarkus.http.port=$HTTP_PORT -Dtrustfleet.data-dir="$WORK/data" \
    -Dtrustfleet.operator-token="$OPERATOR" -Dquarkus.log.console.json.enabled=false \
    -jar "$JAR" > "$1" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$HTTP_PORT/q/health/ready" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$HTTP_PORT/q/health/ready" >/dev/null || { echo "service did not start" >&2; tail -50 "$1"; exit 1; }
  DB_PORT=$(sed -n 's/.*Embedded PostgreSQL started in .* on port \([0-9]*\).*/\1/p' "$1" | head -1)
}
start_service service.log
B="http://127.0.0.1:$HTTP_PORT/api/v1"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

echo "== tenant, admin key, three private roots as anchors, a group including them"
TENANT=$(curl -sf -X POST "$B/tenants" -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' \
  -d '{"name":"payload-bench"}' | json "['id']")
ADMIN=$(curl -sf -X POST "$B/tenants/$TENANT/api-keys" -H "Authorization: Bearer $OPERATOR" \
  -H 'Content-Type: application/json' -d '{"name":"bench","role":"admin"}' | json "['token']")
INCLUDE=""
for i in 1 2 3; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "r$i.key" -out "r$i.pem" -days 30 \
    -subj "/O=Payload Bench/CN=Bench Private Root $i" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  PEM=$(python3 -c "import json; print(json.dumps(open('r$i.pem').read()))")
  SHA=$(curl -sf -X POST "$B/tenants/$TENANT/anchors" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' -d "{\"pem\":$PEM}" | json "[0]['sha256']")
  INCLUDE="$INCLUDE${INCLUDE:+,}\"$SHA\""
done
GROUP=$(curl -sf -X POST "$B/tenants/$TENANT/device-groups" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"minApiLevel\":24,\"maxApiLevel\":36,\"include\":[$INCLUDE]}" | json "['id']")
ENROLL=$(curl -sf -X POST "$B/tenants/$TENANT/enrollment-tokens" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' \
  -d "{\"deviceGroupId\":\"$GROUP\",\"expiresInSeconds\":3600,\"maxUses\":1}" | json "['token']")
FIRST=$(curl -sf -X POST "$B/enroll" -H 'Content-Type: application/json' \
  -d "{\"enrollmentToken\":\"$ENROLL\",\"hardwareId\":\"bench-0\",\"apiLevel\":33}" | json "['deviceToken']")

echo "== generating and loading $((DEVICES - 1)) more devices (psql \\copy into the embedded database on port $DB_PORT)"
python3 - "$DEVICES" "$TENANT" "$GROUP" "$FIRST" <<'PY'
import base64, hashlib, secrets, sys, uuid, datetime
n, tenant, group, first = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
with open("tokens.txt", "w") as tokens, open("devices.csv", "w") as csv:
    tokens.write(first + "\n")
    for i in range(1, n):
        token = "tfd_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        tokens.write(token + "\n")
        digest = hashlib.sha256(token.encode()).hexdigest()
        csv.write(f"{uuid.uuid4()},{tenant},{group},bench-{i},\\x{digest},95,{now}\n")
PY
START_LOAD=$(date +%s.%N)
# each device gets its last-seen row (device_seen, its enrolled_at) from the insert trigger of migration V37
# the embedded database requires its generated password (kept beside its data directory)
export PGPASSWORD="$(cat "$WORK/data/postgres-password")"
psql -q -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -c \
  "\\copy device (id, tenant_id, device_group_id, hardware_id, token_hash, api_level, enrolled_at) FROM 'devices.csv' WITH (FORMAT csv)"
LOAD_S=$(python3 -c "import time; print(round(time.time() - $START_LOAD, 1))")
COUNT=$(psql -qtA -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -c "SELECT count(*) FROM device")
echo "   $COUNT devices in the database (load took ${LOAD_S}s)"
head -n "$HOT" tokens.txt > hot.txt

if [ "${RESTART:-0}" = 1 ]; then
  # a replica started on an existing fleet: stopped gracefully, started again on the same data, and measured once
  # it has read the credentials it preloads (trustfleet.device.auth-cache-preload, on by default)
  kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
  start_service service-restarted.log
  for _ in $(seq 1 300); do
    grep -q 'Preloaded the credentials\|Preloading the device-token cache stopped' service-restarted.log && break
    sleep 1
  done
  grep -a 'Preloaded the credentials\|Preloading the device-token cache' service-restarted.log | sed 's/^/   /' \
    || echo "   no preload reported within 300 s (is trustfleet.device.auth-cache-preload off?)"
fi

curl -sf -D headers.txt -o payload.p7m -H "Authorization: Bearer $FIRST" "$B/device/payload"
ETAG=$(awk 'tolower($1) == "etag:" { sub(/\r$/, "", $2); print $2 }' headers.txt)
SIZE=$(stat -c %s payload.p7m)
echo "   payload: $SIZE bytes, ETag $ETAG"
# the last generated token must authenticate too (checks the bulk load)
curl -sf -o /dev/null -H "Authorization: Bearer $(tail -1 tokens.txt)" "$B/device/payload"

echo "== nginx serving the same bytes on port $NGINX_PORT"
mkdir -p www nginx-tmp
chmod 711 "$WORK"  # nginx workers (www-data when started as root) must reach www/
cp payload.p7m www/payload.p7m
cat > nginx.conf <<NGINX
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  types { application/pkcs7-mime p7m; }
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; etag on; }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
sleep 1
NGINX_ETAG=$(curl -sfI "http://127.0.0.1:$NGINX_PORT/payload.p7m" | awk 'tolower($1) == "etag:" { sub(/\r$/, "", $2); print $2 }')

run() { # name, then wrk arguments; one slice of the row in round $ROUND
  local name=$1; shift
  local out="wrk-$name.txt"
  if [ "$ROUNDS" -gt 1 ]; then out="wrk-$name-r$ROUND.txt"; fi
  if [ "${PROFILE:-}" = "$name" ] && [ "$ROUND" = 1 ]; then  # a JFR CPU profile of the service during this row
    jcmd "$SERVICE_PID" JFR.start name=bench settings="$REPO/bench/cpu-samples.jfc" duration="$D" \
      filename="$WORK/$name.jfr" >/dev/null                   # (its first slice; needs KEEP=1 to read)
  fi
  wrk -t"$T" -c"$C" -d"$D" --latency "$@" > "$out" 2>&1
  local rps p99 errs
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  errs=$(awk '/Non-2xx or 3xx/ { print $NF }' "$out")
  echo "$name $rps $p99 ${errs:-0} $ROUND" >> results.txt
  echo "   $name: $rps req/s, p99 $p99, non-2xx/3xx ${errs:-0}"
}

# Warm-up: both servers get the same warm-up (WARM, same -t/-c) before anything is measured, so that neither is
# measured cold (JIT for the service, page cache and worker start-up for nginx).
echo "== warm-up (service and nginx, $WARM each, wrk -t$T -c$C)"
TOKENS_FILE=hot.txt wrk -t"$T" -c"$C" -d"$WARM" -s "$BENCH/tokens.lua" "$B/device/payload" > /dev/null
TOKENS_FILE=tokens.txt wrk -t"$T" -c"$C" -d"$WARM" -s "$BENCH/tokens.lua" "$B/device/payload" > /dev/null
TOKENS_FILE=tokens.txt wrk -t"$T" -c"$C" -d"$WARM" -s "$BENCH/tokens.lua" "http://127.0.0.1:$NGINX_PORT/payload.p7m" \
  > /dev/null

if [ "${WARM_ALL:-0}" = 1 ]; then
  # a replica in steady state has seen every device of its fleet within the token cache's TTL (devices fetch every
  # 15 minutes, the TTL is 1 hour): walk the tokens in order for long enough to show each at least once (wrk stops
  # on time only: WALK seconds, by default one per 10,000 tokens, i.e. at 10,000 requests/s or more)
  WALK=${WALK:-$(( (DEVICES + 9999) / 10000 + 5 ))}
  echo "== warm-up: the $DEVICES tokens in order for ${WALK}s (wrk -t$T -c$C)"
  TOKENS_FILE=tokens.txt SEQUENTIAL="$T" wrk -t"$T" -c"$C" -d"${WALK}s" -s "$BENCH/tokens.lua" "$B/device/payload" \
    > wrk-walk.txt 2>&1
  WALKED=$(awk '/requests in/ { print $1 }' wrk-walk.txt)
  echo "   $WALKED requests ($(awk '/^Requests\/sec/ { print $2 }' wrk-walk.txt) req/s)"
  if [ "$WALKED" -lt "$DEVICES" ]; then
    echo "   fewer requests than tokens: raise WALK (seconds)" >&2
    exit 1
  fi
fi

echo "== measuring: wrk -t$T -c$C -d$D, $ROUNDS round(s)"
: > results.txt
# each nginx row right after the service row it is compared with: the machine's speed drifts by tens of per cent
# within minutes (bench/README.md), and the rows of a pair should meet the same machine
for ROUND in $(seq 1 "$ROUNDS"); do
  if [ "$ROUNDS" -gt 1 ]; then echo "   -- round $ROUND"; fi
  TOKENS_FILE=tokens.txt run service-200-all -s "$BENCH/tokens.lua" "$B/device/payload"
  # nginx with the same wrk client as the service (the same Lua script, a random Authorization header that nginx
  # ignores): the ratio is taken against these rows, so both sides pay the same client-side cost on the shared CPUs
  TOKENS_FILE=tokens.txt run nginx-200 -s "$BENCH/tokens.lua" "http://127.0.0.1:$NGINX_PORT/payload.p7m"
  TOKENS_FILE=tokens.txt ETAG="$ETAG" run service-304-all -s "$BENCH/tokens.lua" "$B/device/payload"
  TOKENS_FILE=tokens.txt ETAG="$NGINX_ETAG" run nginx-304 -s "$BENCH/tokens.lua" \
    "http://127.0.0.1:$NGINX_PORT/payload.p7m"
  TOKENS_FILE=hot.txt run service-200-hot -s "$BENCH/tokens.lua" "$B/device/payload"
  TOKENS_FILE=hot.txt ETAG="$ETAG" run service-304-hot -s "$BENCH/tokens.lua" "$B/device/payload"
  # and nginx with plain wrk (no Lua, a fixed request): the cheapest client, for reference only
  run nginx-200-plain "http://127.0.0.1:$NGINX_PORT/payload.p7m"
  run nginx-304-plain -H "If-None-Match: $NGINX_ETAG" "http://127.0.0.1:$NGINX_PORT/payload.p7m"
done

HWM=$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$SERVICE_PID/status")
RSS=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$SERVICE_PID/status")
# written by the service: later than the time the generated rows were given (their enrolled_at, which nothing changes)
SEEN=$(psql -qtA -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -c \
  "SELECT count(*) FROM device d JOIN device_seen s ON s.device_id = d.id WHERE d.hardware_id <> 'bench-0'
     AND s.last_seen_at > (SELECT enrolled_at FROM device WHERE hardware_id = 'bench-1')")

python3 - "$HWM" "$RSS" "$XMX" "$DEVICES" "$HOT" "$SIZE" "$C" "$T" "$D" "$SEEN" "$(nproc)" <<'PY'
import sys
hwm, rss, xmx, devices, hot, size, c, t, d, seen, cpus = sys.argv[1:]
import statistics
def ms(p99):  # wrk's latency as milliseconds (it prints us, ms or s)
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if p99.endswith(unit):
            return float(p99[:-len(unit)]) * f
    return float(p99)
slices = {}
for line in open("results.txt"):
    name, rps, p99, errs, rnd = line.split()
    slices.setdefault(name, {})[int(rnd)] = (float(rps), ms(p99), int(errs))
rounds = len(slices["service-200-all"])
# a row: the mean of its slices (of equal length), its worst p99, its errors; its ratio per round against the
# reference row of the same round
r = {name: (statistics.mean(v[0] for v in s.values()), f"{max(v[1] for v in s.values()):.2f}ms",
            sum(v[2] for v in s.values())) for name, s in slices.items()}
def round_ratios(name, ref):
    return sorted(slices[name][k][0] / slices[ref][k][0] for k in slices[name])
print()
print(f"Payload delivery: {int(devices):,} devices in the database, payload {size} bytes, wrk -t{t} -c{c} -d{d}"
      f"{'' if rounds == 1 else f' x {rounds} rounds, the rows taking turns'}, "
      f"{cpus} CPUs shared by wrk, the service, PostgreSQL and nginx")
print()
extra = "" if rounds == 1 else " ratio to nginx per round (min, median, max) |"
print("| run | tokens | requests/s | p99 | ratio to nginx | ratio to plain-wrk nginx | non-2xx/3xx |" + extra)
print("|---|---|---:|---:|---:|---:|---:|" + ("" if rounds == 1 else "---:|"))
for name, tokens in [("service-200-all", devices), ("service-304-all", devices), ("service-200-hot", hot),
                     ("service-304-hot", hot), ("nginx-200", "-"), ("nginx-304", "-"), ("nginx-200-plain", "-"),
                     ("nginx-304-plain", "-")]:
    rps, p99, errs = r[name]

    kind = name.split("-")[1]
    ratio = "" if name.startswith("nginx") else f"{rps / r['nginx-' + kind][0]:.2f}"
    plain = "" if name.startswith("nginx") else f"{rps / r['nginx-' + kind + '-plain'][0]:.2f}"
    tok = f"{int(tokens):,}" if tokens != "-" else "-"
    per_round = ""
    if rounds > 1:
        per_round = "" if name.startswith("nginx") else " " + ", ".join(
            f"{x:.2f}" for x in (lambda q: (q[0], statistics.median(q), q[-1]))(round_ratios(name, "nginx-" + kind)))
        per_round += " |"
    print(f"| {name} | {tok} | {rps:,.0f} | {p99} | {ratio} | {plain} | {errs} |{per_round}")
print()
print(f"service peak RSS (VmHWM) {hwm} MiB, RSS at end {rss} MiB, heap limit {xmx}; "
      f"devices with last_seen_at written during the run: {int(seen):,}")
PY
