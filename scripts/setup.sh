#!/usr/bin/env bash
# Installs what building, running and testing the service needs on Debian/Ubuntu, and
# nothing that is already there (safe to run again). Called by `make run` and `make test`.
#
# - the PROJ build: the `proj` crate links a system PROJ >= 9.6.2 when there is one, and
#   otherwise builds PROJ from source, which needs cmake, a C++ compiler, pkg-config,
#   sqlite3 and its headers;
# - the front end and its browser tests: Node.js with npm, Debian's chromium;
# - the OGC API client checks: GDAL's command-line tools and Python's venv module.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

for pkg in cmake g++ make pkg-config sqlite3 libsqlite3-dev; do
  have_pkg "$pkg" || need+=("$pkg")
done
for extra in "$@"; do
  case "$extra" in
    web) have_cmd node || need+=(nodejs); have_cmd npm || need+=(npm) ;;
    browser) have_cmd chromium || need+=(chromium) ;;
    clients) have_cmd ogrinfo || need+=(gdal-bin)
             python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv) ;;
  esac
done

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! have_cmd cargo; then
  echo "setup: cargo was not found. Install the Rust toolchain (https://rustup.rs), then run this again." >&2
  exit 1
fi
