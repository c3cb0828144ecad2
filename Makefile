# The two set-up commands of the README:
#   make run   — installs what is missing, builds, serves ./geodata on http://127.0.0.1:8080
#   make test  — installs what is missing, then runs the whole test suite
# Both are idempotent. Pass flags to the server with ARGS, e.g. `make run ARGS="--listen 0.0.0.0:8080"`.

CARGO ?= cargo
ARGS ?=

.PHONY: run test setup build check fmt lint unit

setup:
	@bash scripts/setup.sh

build: setup
	$(CARGO) build --release --locked
	@bash scripts/stage-proj-data.sh release

run: build
	./target/release/zagore serve --data geodata $(ARGS)

check: build
	./target/release/zagore check geodata

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --locked
	@bash scripts/stage-proj-data.sh debug

test: setup fmt lint unit
