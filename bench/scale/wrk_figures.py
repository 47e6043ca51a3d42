"""What a wrk run's output says, for run.sh: "<requests> <requests/s> <non-2xx> <p99>" on one line.

Usage: python3 wrk_figures.py WRK_OUTPUT_FILE (the output of wrk --latency).
"""
import re
import sys

w = open(sys.argv[1]).read()
total = int(re.search(r"(\d+) requests in", w).group(1))
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", w)) else 0
rate = re.search(r"Requests/sec:\s+(\S+)", w).group(1)
p99 = re.search(r"\s99%\s+(\S+)", w).group(1)
print(total, rate, non2xx, p99)
