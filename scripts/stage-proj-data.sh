#!/usr/bin/env bash
# Puts the proj.db that matches the PROJ linked into the binary at target/<profile>/share/proj,
# where `zagore` looks for it beside its executable (see README, "PROJ's database").
# When proj-sys built PROJ from source, its database is in that build's output folder; when a
# system PROJ was linked instead, PROJ finds its own database and nothing is copied.
set -euo pipefail
profile="${1:-release}"
target="${CARGO_TARGET_DIR:-target}"
db=$(ls -t "$target/$profile"/build/proj-sys-*/out/share/proj/proj.db 2>/dev/null | head -n 1 || true)
if [ -n "$db" ]; then
  mkdir -p "$target/$profile/share/proj"
  cp -u "$db" "$(dirname "$db")"/*.json "$target/$profile/share/proj/" 2>/dev/null || cp -u "$db" "$target/$profile/share/proj/"
  echo "proj.db: $target/$profile/share/proj/proj.db"
fi
