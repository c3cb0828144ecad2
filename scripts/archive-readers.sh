#!/usr/bin/env bash
# `zagore export` checked by readers that share nothing with ours: exports the bundled
# geodata to PMTiles and MBTiles with the debug binary, starts the same binary's server on a
# free loopback port, and runs tests/archive_readers.py (the `pmtiles` package, sqlite3 and
# pyogrio's GDAL, installed into target/ogc-venv when missing) against both. Called by
# `make test` (target `clients`).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/ogc-venv
[ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
if ! "$venv/bin/python3" -c 'import pmtiles, pyogrio; assert pmtiles.__version__ if hasattr(pmtiles, "__version__") else True' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check pmtiles==3.8.1 pyogrio==0.13.0
fi
work=$(mktemp -d)
log="$work/server.log"
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
target/debug/zagore export --data geodata --out "$work/zone.pmtiles" --max-zoom 16
target/debug/zagore export --data geodata --out "$work/zone.mbtiles" --min-zoom 10 --max-zoom 15
target/debug/zagore serve --listen 127.0.0.1:0 --data geodata 2>"$log" &
pid=$!
for _ in $(seq 300); do
  base=$(grep -o 'serving the zone on http://[0-9.:]*' "$log" | sed 's/serving the zone on //' || true)
  [ -n "$base" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { cat "$log"; echo "the server did not start" >&2; exit 1; }
"$venv/bin/python3" tests/archive_readers.py "$base" "$work/zone.pmtiles" "$work/zone.mbtiles"
