#!/usr/bin/env bash
# Validates a MapLibre style file with gl-style-validate (@maplibre/maplibre-gl-style-spec,
# pinned in web/style-validate/package-lock.json). Starts no server: give it a style.json,
# for example one written by the tiles HTTP test:
#
#   ZAGORE_STYLE_OUT=target/style.json cargo test --test suite tiles_http::style_json
#   scripts/validate-style.sh target/style.json
#
# Installs the validator from the lock file on first use (needs npm and the npm registry).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 STYLE.json" >&2
    exit 2
fi
style=$1
if [ ! -f "$style" ]; then
    echo "error: no such file: $style" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pkg="$here/web/style-validate"
validator="$pkg/node_modules/.bin/gl-style-validate"
if [ ! -x "$validator" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "error: npm is needed to install gl-style-validate (apt-get install npm)" >&2
        exit 2
    fi
    (cd "$pkg" && npm ci --no-audit --no-fund --loglevel=error)
fi

# gl-style-validate prints one line per problem and exits non-zero when there is any.
if "$validator" "$style"; then
    echo "style ok: $style"
else
    echo "error: $style is not a valid MapLibre style" >&2
    exit 1
fi
