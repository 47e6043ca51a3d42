"""Walks a cursor-paged list to its end (following Link rel="next") and prints latency percentiles per page;
then times GETs of one URL (the drift report), after a few unmeasured ones. Used by bench/scale/run.sh; standard library only."""
import http.client, json, re, sys, time

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]

def main():
    port, token, first, drift, repeats = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    warm = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    times, rows, path = [], 0, first
    while path:
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit("%s -> %d %s" % (path, r.status, body[:300]))
        rows += len(json.loads(body))
        m = re.search(r'<([^>]+)>; rel="next"', r.getheader("Link") or "")
        path = m.group(1) if m else None
    print("listing pages=%d rows=%d p50=%.1fms p95=%.1fms max=%.1fms first=%.1fms last=%.1fms" % (
        len(times), rows, pct(times, 50), pct(times, 95), max(times), times[0], times[-1]))
    dt = []
    size = 0
    for i in range(warm + repeats):
        t0 = time.perf_counter()
        conn.request("GET", drift, headers=headers)
        r = conn.getresponse()
        size = len(r.read())
        if i >= warm:  # the first requests warm the report's code paths up (the listing has warmed its own)
            dt.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit("drift -> %d" % r.status)
    print("drift n=%d (after %d warm-up) p50=%.1fms p95=%.1fms max=%.1fms bytes=%d" % (len(dt), warm, pct(dt, 50),
        pct(dt, 95), max(dt), size))

main()
