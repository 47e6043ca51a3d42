#!/usr/bin/env bash
# Sweep benchmark: N endpoints (each on its own 127.1.x.y address behind a latency-injecting TCP proxy) created
# through the API of the packaged service and scheduled by Quartz; every endpoint is made due at one instant and the
# sweep is measured from the scan table and /proc. A clean sweep (no latency, no faults) and an "internet" sweep
# (50-300 ms per direction per flight, 5 % black holes, 3 % refused) in the same run; the headline is the ratio of
# their rates. See org.trustfleet.scan.SweepBench and bench/sweep/RESULTS.md.
#
#   bench/sweep/run.sh                    # 10,000 endpoints
#   QUICK=1 bench/sweep/run.sh            # 1,000 endpoints
#   N=2000 SETTINGS=trustfleet.scanner.max-probes-in-flight=256 bench/sweep/run.sh
#   PEERS=1 bench/sweep/run.sh          # also testssl.sh (Debian: testssl) and cfssl bundle on a sample (port 443: root)
#   PEERS_ONLY=1 N=20 bench/sweep/run.sh   # only the peers, on the same endpoints behind the proxy (no service)
#   JAR=/path/to/other/quarkus-run.jar bench/sweep/run.sh   # another build of the service (e.g. before a change)
#   PROFILE_DIR=/tmp/prof QUICK=1 bench/sweep/run.sh   # a JFR CPU profile of the service per sweep (warm-up.jfr, ...)
#   SERVICE_JVM_OPTIONS="-Xlog:gc" bench/sweep/run.sh   # extra JVM options for the service
#
# Needs a JDK 21+ (JAVA_HOME) and Linux (/proc, the whole 127/8 on loopback). Installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-$([ "${QUICK:-0}" = 1 ] && echo 1000 || echo 10000)}
JAR=${JAR:-$PWD/service/target/quarkus-app/quarkus-run.jar}
if [ ! -f "$JAR" ]; then
  ./mvnw -B -q package -DskipTests
fi
./mvnw -B -q -o test-compile -pl service
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); jar $JAR"
cd service
../mvnw -B -q -o org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
  -Dexec.mainClass=org.trustfleet.scan.SweepBench -Dtrustfleet.test.app-jar="$JAR" \
  -Dendpoints="$N" -DserviceSettings="${SETTINGS:-}" -DpatienceMinutes="${PATIENCE_MINUTES:-30}" -Dport="${PORT:-443}" -Dpeers="$([ "${PEERS:-0}" = 1 ] && echo true || echo false)" -DpeersOnly="$([ "${PEERS_ONLY:-0}" = 1 ] && echo true || echo false)" \
  -Dtrustfleet.test.service-jvm-options="${SERVICE_JVM_OPTIONS:-}" -DprofileDir="${PROFILE_DIR:-}"
