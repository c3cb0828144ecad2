#!/usr/bin/env bash
# Installs what building, running and testing the service needs on Debian/Ubuntu, and
# nothing that is already there (safe to run again). Called by `make run` and `make test`.
#
# - the PROJ build: the `proj` crate links a system PROJ >= 9.6.2 when there is one, and
#   otherwise builds PROJ from source, which needs cmake, a C++ compiler, pkg-config,
#   sqlite3 and its headers;
# - the front end and its browser tests: Node.js with npm, Debian's chromium, and nginx (the
#   map served from a PMTiles archive as static files);
# - the OGC API client checks: GDAL's command-line tools and Python's venv module;
# - the plot sheet's test: poppler's pdfinfo and pdftotext read the PDF Chromium prints;
# - the shared register's tests: PostgreSQL 15 (scripts/postgres.sh runs a throwaway server).
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
    browser) have_cmd chromium || need+=(chromium)
             [ -x /usr/sbin/nginx ] || need+=(nginx) ;;
    pdf) have_cmd pdftotext || need+=(poppler-utils) ;;
    postgres) [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15) ;;
    clients) have_cmd ogrinfo || need+=(gdal-bin)
             python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv) ;;
  esac
done

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # Servers the packages bring (nginx, PostgreSQL) are not started as system services: the
  # tests start their own on free ports and stop them (a policy-rc.d saying no, for this
  # install only, unless the machine has one of its own).
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -z "$policy" ] || $sudo rm -f "$policy"
fi

if ! have_cmd cargo; then
  echo "setup: cargo was not found. Install the Rust toolchain (https://rustup.rs), then run this again." >&2
  exit 1
fi

# PROJ, built once for every cargo profile. Debian 12's PROJ (9.1) is older than the `proj`
# crate needs (9.6.2), and left to itself proj-sys compiles PROJ from source in every
# profile and feature set that builds it (release, and the debug builds of clippy, the
# tests and the binary: four builds of several minutes each on a fresh clone). Instead we
# build the PROJ source that proj-sys ships, with proj-sys's own options (static, no
# network, no tools), once into target/proj; `.cargo/config.toml` points pkg-config there,
# so every profile links that one build. Without target/proj, proj-sys builds PROJ itself
# as before. A system PROJ >= 9.6.2 is used as it is.
proj_version=9.6.2
proj_prefix="$PWD/target/proj"
if pkg-config --atleast-version "$proj_version" proj 2>/dev/null \
   && [ -z "$(pkg-config --variable=prefix proj 2>/dev/null | grep -F "$proj_prefix")" ]; then
  : # an acceptable system PROJ
elif PKG_CONFIG_PATH="$proj_prefix/lib/pkgconfig" pkg-config --exact-version "$proj_version" proj 2>/dev/null; then
  : # built before
else
  crate_dir=$(cargo metadata --format-version 1 --locked 2>/dev/null \
    | python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]=="proj-sys").rsplit("/",1)[0])')
  tarball="$crate_dir/PROJSRC/proj-$proj_version.tar.gz"
  if [ ! -f "$tarball" ]; then
    echo "setup: $tarball not found; proj-sys will build PROJ itself" >&2
  else
    echo "setup: building PROJ $proj_version once into target/proj (a few minutes; every cargo profile links it)"
    work="$PWD/target/proj-build"
    rm -rf "$work" "$proj_prefix"
    mkdir -p "$work"
    tar -xzf "$tarball" -C "$work"
    cmake -S "$work/proj-$proj_version" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_INSTALL_PREFIX="$proj_prefix" -DCMAKE_INSTALL_LIBDIR=lib \
      -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
      -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF -DBUILD_APPS=OFF \
      -DENABLE_CURL=OFF -DENABLE_TIFF=OFF -DEMBED_RESOURCE_FILES=ON >"$work/configure.log" 2>&1 \
      || { echo "setup: PROJ configure failed, see $work/configure.log" >&2; exit 1; }
    cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 \
      || { echo "setup: PROJ build failed, see $work/build.log" >&2; exit 1; }
    cmake --install "$work/build" >"$work/install.log" 2>&1 \
      || { echo "setup: PROJ install failed, see $work/install.log" >&2; exit 1; }
    rm -rf "$work"
  fi
fi
