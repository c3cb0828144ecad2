# The two set-up commands of the README:
#   make run   — installs what is missing, builds, serves ./geodata on http://127.0.0.1:8080
#   make test  — installs what is missing, then runs the whole test suite
# Both are idempotent. Pass flags to the server with ARGS, e.g. `make run ARGS="--listen 0.0.0.0:8080"`.

CARGO ?= cargo
ARGS ?=
# Installed front-end packages (MapLibre GL JS, playwright-core), redone when the lock changes.
WEB_STAMP := web/node_modules/.zagore-installed

.PHONY: run test setup build check fmt lint unit style browser clients

setup:
	@bash scripts/setup.sh

$(WEB_STAMP): web/package.json web/package-lock.json
	@bash scripts/setup.sh web
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: setup $(WEB_STAMP)
	$(CARGO) build --release --locked

run: build
	./target/release/zagore serve --data geodata $(ARGS)

check: build
	./target/release/zagore check geodata

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --all-targets --locked -- -D warnings

# The Rust suite also drives real tools: ogr2ogr/ogrinfo (shapefile fixtures, exports),
# Chromium and poppler (the plot sheet's PDF), Python's venv (openpyxl for the XLSX export),
# and a throwaway PostgreSQL server (the shared register), stopped whatever the tests return.
unit: $(WEB_STAMP)
	@bash scripts/setup.sh browser clients pdf postgres
	@bash scripts/postgres.sh start
	@status=0; $(CARGO) test --locked || status=$$?; bash scripts/postgres.sh stop; exit $$status

# The served MapLibre style, checked by gl-style-validate (@maplibre/maplibre-gl-style-spec).
style: $(WEB_STAMP)
	ZAGORE_STYLE_OUT=$(CURDIR)/target/style.json $(CARGO) test --locked --test suite tiles_http::style_json
	@bash scripts/validate-style.sh target/style.json

# The viewer in headless Chromium, against the debug binary; screenshots go to artifacts/.
browser: $(WEB_STAMP)
	@bash scripts/setup.sh browser
	$(CARGO) build --locked
	cd web && node --test test/

# Real OGC API – Features clients (GDAL's ogrinfo, OWSLib), an OpenAPI validator, and the
# exported tile archives read back by the pmtiles package, sqlite3 and GDAL.
clients:
	@bash scripts/setup.sh clients
	$(CARGO) build --locked
	@bash scripts/ogc-clients.sh
	@bash scripts/archive-readers.sh

test: setup fmt lint unit style clients browser
