#!/usr/bin/env bash
# Runs tests/ogc_clients.sh (GDAL's ogrinfo, OWSLib, openapi-spec-validator, pyogrio's newer
# GDAL for Features Part 2 and OGC API – Tiles) and
# Schemathesis (the API against its own OpenAPI document, tests/schemathesis.toml) against the
# debug binary started on a free loopback port, with an admin token so that the admin
# endpoint's refusals are checked too. Called by `make test` (target `clients`).
# Installs gdal-bin with scripts/setup.sh and the Python clients into target/ogc-venv
# (a virtual environment, so the system Python is left alone); both only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/ogc-venv
if [ ! -x "$venv/bin/python3" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c 'import owslib, openapi_spec_validator, pyogrio, shapely' 2>/dev/null \
  || [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version 4.32.5" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check OWSLib openapi-spec-validator \
    schemathesis==4.32.5 pyogrio==0.13.0 shapely
fi

log=$(mktemp)
config=$(mktemp --suffix=.toml)
# A token nobody is told: the clients only ever see the refusals.
printf 'admin_token = "%s"\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$config"
target/debug/zagore --config "$config" serve --listen 127.0.0.1:0 --data geodata 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log" "$config"' EXIT
for _ in $(seq 300); do
  base=$(grep -o 'serving the zone on http://[0-9.:]*' "$log" | sed 's/serving the zone on //' || true)
  [ -n "$base" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { cat "$log"; echo "the server did not start" >&2; exit 1; }
PATH="$PWD/$venv/bin:$PATH" bash tests/ogc_clients.sh "$base"
echo "== Schemathesis: the API against its OpenAPI document"
"$venv/bin/schemathesis" --config-file tests/schemathesis.toml run "$base/api" --url "$base" \
  --checks all --exclude-checks positive_data_acceptance --no-color
