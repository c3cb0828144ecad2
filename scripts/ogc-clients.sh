#!/usr/bin/env bash
# Runs tests/ogc_clients.sh (GDAL's ogrinfo, OWSLib, openapi-spec-validator) against the
# debug binary started on a free loopback port. Called by `make test` (target `clients`).
# Installs gdal-bin with scripts/setup.sh and the Python clients into target/ogc-venv
# (a virtual environment, so the system Python is left alone); both only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/ogc-venv
if [ ! -x "$venv/bin/python3" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c 'import owslib, openapi_spec_validator' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check OWSLib openapi-spec-validator
fi

log=$(mktemp)
target/debug/zagore serve --listen 127.0.0.1:0 --data geodata 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 300); do
  base=$(grep -o 'serving the zone on http://[0-9.:]*' "$log" | sed 's/serving the zone on //' || true)
  [ -n "$base" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { cat "$log"; echo "the server did not start" >&2; exit 1; }
PATH="$PWD/$venv/bin:$PATH" bash tests/ogc_clients.sh "$base"
