#!/usr/bin/env bash
# Wall time of `check` against a loopback TLS endpoint, JVM start included, next to `openssl s_client` (the
# reference: one handshake, no Android judgement) in the same run.
#
#   bench/check/run.sh [RUNS]        (build first: ./mvnw -B package -DskipTests)
#
# Uses hyperfine when installed (apt-get install hyperfine), otherwise a loop of `date +%s%N`.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-10}"
JAR=service/target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# root -> intermediate -> leaf for check.test, served with its intermediate
cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem -days 30 \
  -subj "/CN=Bench Root" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.csr -subj "/CN=Bench CA" 2>/dev/null
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
openssl x509 -req -in ca.csr -CA root.pem -CAkey root.key -CAcreateserial -out ca.pem -days 30 -extfile ca.ext 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=check.test" 2>/dev/null
printf 'basicConstraints=CA:false\nsubjectAltName=DNS:check.test\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 30 -extfile leaf.ext 2>/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$PORT" -cert leaf.pem -key leaf.key -cert_chain ca.pem -quiet -naccept 100000 \
  >/dev/null 2>&1 &
SERVER_PID=$!
cd - >/dev/null
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

BUNDLED="java -jar $JAR check 127.0.0.1:$PORT --server-name check.test --allow-private"
TRUST="$BUNDLED --trust $WORK/root.pem"
OPENSSL="openssl s_client -connect 127.0.0.1:$PORT -servername check.test -CAfile $WORK/root.pem </dev/null"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
if command -v hyperfine >/dev/null; then
  # exit code 1 (some bundled Android version rejects the private root) is the expected answer, not a failure
  hyperfine -N --warmup 2 --runs "$RUNS" -i \
    -n "check (bundled Android stores)" "$BUNDLED" \
    -n "check --trust root.pem" "$TRUST" \
    -n "openssl s_client" "sh -c '$OPENSSL'"
else
  for name in BUNDLED TRUST OPENSSL; do
    cmd=${!name}; total=0; best=
    for _ in $(seq "$RUNS"); do
      t0=$(date +%s%N); sh -c "$cmd" >/dev/null 2>&1 || true; t=$(( ($(date +%s%N) - t0) / 1000000 ))
      total=$((total + t)); best=$(( ${best:-$t} < t ? ${best:-$t} : t ))
    done
    echo "$name: mean $((total / RUNS)) ms, min $best ms over $RUNS runs"
  done
fi
