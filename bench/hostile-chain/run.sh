#!/usr/bin/env bash
# One Android validation of a hostile chain (a leaf plus SIZE certificates with the same subject and different keys,
# generated in code: pki/HostileChains) next to Conscrypt's TrustManagerImpl on the same chain, in the same JVM.
#
#   bench/hostile-chain/run.sh [SIZE] [ROUNDS]     (default 100 certificates, 50 rounds per shape)
#
# Compiles the service's test classes offline (./mvnw -o test-compile) and runs pki.HostileChainBench on the test
# class path. Needs a JDK >= 21 (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE="${1:-100}"
ROUNDS="${2:-50}"
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
export PATH="${JAVA_HOME:+$JAVA_HOME/bin:}$PATH"
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -B -o -q test-compile dependency:build-classpath -pl service -Dmdep.includeScope=test \
  -Dmdep.outputFile="$CP_FILE" >/dev/null
java -cp "service/target/test-classes:service/target/classes:$(cat "$CP_FILE")" \
  org.trustfleet.pki.HostileChainBench "$SIZE" "$ROUNDS"
