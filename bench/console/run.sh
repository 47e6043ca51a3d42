#!/usr/bin/env bash
# Console page render times for one tenant with 1,000 endpoints and 10,000 devices (the packaged service on its own
# embedded PostgreSQL; the world is built through the API and SQL, see ConsoleBench's Javadoc). Installs nothing;
# needs a JDK 21+.
#
#   bench/console/run.sh
#   ENDPOINTS=1000 DEVICES=10000 WARM=20 RUNS=30 bench/console/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f service/target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests
fi
./mvnw -B -q test-compile -pl service
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
./mvnw -B -q -pl service org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
  -Dexec.mainClass=org.trustfleet.console.ConsoleBench -Dtrustfleet.test.app-jar=service/target/quarkus-app/quarkus-run.jar \
  -Dendpoints="${ENDPOINTS:-1000}" -Ddevices="${DEVICES:-10000}" -Dwarm="${WARM:-20}" -Druns="${RUNS:-30}"
