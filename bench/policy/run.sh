#!/usr/bin/env bash
# Policy engine benchmark: full recompute of 1,000 groups x 100 endpoints over 27 store levels, and the
# incremental recompute after one endpoint's chain changed, and the server fixes (each rejected endpoint's chains
# assessed once, the best chosen for every group). Pure engine (no database, no HTTP): it measures the
# computation the service repeats on every recompute. Usage: bench/policy/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q test-compile -pl service
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
./mvnw -B -q -pl service org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
  -Dexec.mainClass=org.trustfleet.policy.PolicyBench
