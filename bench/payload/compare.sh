#!/usr/bin/env bash
# Before/after for the payload path: runs bench/payload/run.sh against two builds of the service, alternately
# (before, after, before, after, ... ROUNDS times each), so both meet the same machine load, each run with its own
# nginx reference. Prints every run's table, then one summary table with the median requests/s of each row per
# build, the after/before ratio, and the median ratio to nginx (same Lua client) per build.
#
#   bench/payload/compare.sh BEFORE_JAR AFTER_JAR          # e.g. a checkout of the previous commit, and target/
#   ROUNDS=2 DEVICES=100000 D=20s bench/payload/compare.sh ... # every knob of run.sh passes through
set -euo pipefail
BEFORE=${1:?usage: compare.sh BEFORE_JAR AFTER_JAR}
AFTER=${2:?usage: compare.sh BEFORE_JAR AFTER_JAR}
ROUNDS=${ROUNDS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/trustfleet-payload-compare.XXXXXX")
for jar in "$BEFORE" "$AFTER"; do
  [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }
done
for round in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    jar=$BEFORE; [ "$side" = after ] && jar=$AFTER
    echo "===== round $round, $side: $jar (load $(cut -d' ' -f1-3 /proc/loadavg))"
    JAR="$jar" "$HERE/run.sh" | tee "$OUT/$side-$round.txt"
  done
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import statistics, sys, re
out, rounds = sys.argv[1], int(sys.argv[2])
rows = ["service-200-all", "service-304-all", "service-200-hot", "service-304-hot"]
data = {}  # (side, row) -> [(rps, ratio)]
for side in ("before", "after"):
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{side}-{r}.txt"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 5 and cells[0] in rows:
                data.setdefault((side, cells[0]), []).append((float(cells[2].replace(",", "")), float(cells[4])))
print()
print(f"Before/after, {rounds} alternating runs each (median over runs)")
print()
print("| row | before req/s | after req/s | after ÷ before | before ÷ nginx | after ÷ nginx |")
print("|---|---:|---:|---:|---:|---:|")
for row in rows:
    b = data[("before", row)]; a = data[("after", row)]
    mb = statistics.median(x[0] for x in b); ma = statistics.median(x[0] for x in a)
    rb = statistics.median(x[1] for x in b); ra = statistics.median(x[1] for x in a)
    print(f"| {row} | {mb:,.0f} | {ma:,.0f} | {ma / mb:.2f} | {rb:.2f} | {ra:.2f} |")
PY
echo "(each run's output kept in $OUT)"
