#!/usr/bin/env bash
# Soak test: mixed tile and feature load on loopback for DURATION seconds (default 600) at a
# fixed request rate, with zero 5xx expected and memory flat. Prints RSS at start and end,
# latency percentiles and status counts; docs/operations.md records a run.
#
#   bash scripts/soak.sh [DURATION] [CONNECTIONS] [THREADS]
#
# Needs wrk (Debian package `wrk`); starts the release binary itself on a free port, pinned to
# core 0 while wrk runs on core 1 (taskset), and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-600}"
connections="${2:-32}"
threads="${3:-1}"
command -v wrk >/dev/null || { echo "soak: install wrk (apt-get install wrk)" >&2; exit 1; }
[ -x target/release/zagore ] || make build >/dev/null

log=$(mktemp)
taskset -c 0 target/release/zagore serve --listen 127.0.0.1:0 --data geodata 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  base=$(grep -o 'serving the zone on http://[0-9.:]*' "$log" | sed 's/serving the zone on //' || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { cat "$log"; exit 1; }

# Status counts come from the server's own /metrics at the end (wrk's threads cannot share
# a table). The URL mix: every tile over both stages at z12–z17, plus feature queries and clicks.
urls=$(mktemp)
python3 - "$base" > "$urls" <<'PY'
import math, sys
base = sys.argv[1]
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
stages = [(25.6446, 42.3658, 25.6536, 42.3743), (25.6740, 42.4270, 25.6815, 42.4330)]
urls = []
for w, s, e, n in stages:
    for z in range(12, 18):
        x0, y1 = tile(w, s, z); x1, y0 = tile(e, n, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                urls.append(f"/tiles/{z}/{x}/{y}.mvt")
urls += [
    "/collections/plots/items?limit=100",
    "/collections/plots/items?bbox=25.64,42.36,25.66,42.38",
    "/collections/plots/items?status=available&stage=2",
    "/collections/plots/items/27214.33.1",
    "/plots/at?lon=25.6490&lat=42.3700",
    "/plots/search?q=27214.33",
    "/plots/27214.33.1/distances",
    "/distances?lon=25.66&lat=42.40",
    "/health",
]
for u in urls:
    print(base + u)
PY
echo "soak: $(wc -l < "$urls") URLs, $duration s, $connections connections, server pid $pid"

rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/$pid/status; }
lua=$(mktemp --suffix=.lua)
cat > "$lua" <<LUA
local urls = {}
for line in io.lines("$urls") do urls[#urls + 1] = line end
local i = 0
request = function()
  i = i % #urls + 1
  return wrk.format("GET", urls[i])
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors: connect %d read %d write %d timeout %d status %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
LUA
# Warm up (fills the tile cache), then measure.
taskset -c 1 wrk -t1 -c8 -d5s -s "$lua" "$base" >/dev/null
echo "RSS at start: $(rss)"
taskset -c 1 wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s -s "$lua" "$base"
echo "RSS at end:   $(rss)"
curl -s "$base/metrics" | grep -E '^zagore_http_requests_total' | awk '{split($0,a,"status=\""); split(a[2],b,"\""); s[b[1]]+=$NF} END {for (k in s) print "status " k ": " s[k]}'
