# ScaleEdit Gallery
#
#   make run     install what is missing, build, and serve the app at http://127.0.0.1:$(PORT)/
#   make test    native tests, wasm tests in headless Chromium, the release build, and the
#                end-to-end tests against it
#   make build   the release build of the app into dist/
#
# scripts/setup.sh installs the tools (idempotent, seconds when everything is there).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run
# Steps of `make test` run in the order given.
.NOTPARALLEL:

PORT ?= 8080
# Address `make run` listens on (e.g. make run BIND=0.0.0.0).
BIND ?= 127.0.0.1
# Ports of the fixture servers for the wasm tests; kept stable because their URLs are
# compiled into the test build (another free port is taken when one is busy).
WASM_DATA_PORT ?= 18473
WASM_NORANGE_PORT ?= 18474

E2E := tests/e2e
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
# wasm-opt 132 (npm binaryen) and the cargo-installed tools come before anything else.
export PATH := $(CURDIR)/$(E2E)/node_modules/.bin:$(CARGO_BIN):$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 300

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
GALLERY := $(TARGET_DIR)/release/gallery
TRUNK_BUILD := trunk build --release --offline

.PHONY: run build test setup cli demo dist test-native test-wasm test-e2e clean

## Install missing tools (Debian packages, wasm32 target, trunk, wasm-bindgen-cli, npm packages).
setup:
	@bash scripts/setup.sh

## The native command line (demo generation, static server).
cli: setup
	cargo build --release --bin gallery

## The bundled demo dataset in public/demo (written once; `make demo-again` rewrites it).
demo: cli
	@if [[ -f public/demo/manifest.json ]]; then \
	  echo "public/demo: present"; \
	else \
	  $(GALLERY) demo; \
	fi

.PHONY: demo-again
demo-again: cli
	$(GALLERY) demo

## The app, built for release into dist/ (with the demo in dist/demo/).
dist: setup demo
	cargo fetch --quiet
	$(TRUNK_BUILD)
	@test -f dist/demo/manifest.json || { echo "dist/demo/manifest.json missing after trunk build" >&2; exit 1; }

build: dist

run: cli dist
	@echo
	@echo "ScaleEdit Gallery: http://$(BIND):$(PORT)/"
	@echo
	$(GALLERY) serve dist --host $(BIND) --port $(PORT)

test: setup test-native test-wasm dist dist-subpath test-e2e

## Every native test: unit tests of the library and binaries, tests/*.rs.
test-native: setup
	cargo test --release

## The library's wasm tests in headless Chromium, with tests/fixtures served by the CLI on
## two origins: GALLERY_TEST_DATA_URL (CORS) and GALLERY_TEST_NORANGE_URL (CORS, ignoring
## Range), both read at compile time by the tests that fetch.
test-wasm: cli
	@pids=(); trap 'kill $${pids[@]} 2>/dev/null || true' EXIT; \
	serve_fixtures() { \
	  local port=$$1; shift; \
	  if (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then \
	    port=$$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'); \
	  fi; \
	  $(GALLERY) serve tests/fixtures --host 127.0.0.1 --port $$port --cors --quiet "$$@" >&2 & pids+=($$!); \
	  for i in $$(seq 300); do \
	    kill -0 $$! 2>/dev/null || { echo "fixture server on port $$port exited" >&2; return 1; }; \
	    curl -s -o /dev/null "http://127.0.0.1:$$port/__requests" && break; \
	    [[ $$i -lt 300 ]] || { echo "fixture server on port $$port did not answer" >&2; return 1; }; \
	    sleep 0.1; \
	  done; \
	  served="http://127.0.0.1:$$port"; \
	}; \
	serve_fixtures $(WASM_DATA_PORT); data=$$served; \
	serve_fixtures $(WASM_NORANGE_PORT) --ignore-range; norange=$$served; \
	echo "fixtures: $$data (Range), $$norange (Range ignored)"; \
	GALLERY_TEST_DATA_URL=$$data GALLERY_TEST_NORANGE_URL=$$norange \
	  cargo test --target wasm32-unknown-unknown --lib

## End-to-end tests in headless Chromium against dist/ (built by `make dist`).
test-e2e: cli dist
	GALLERY_BIN=$(GALLERY) node $(E2E)/run.mjs

clean:
	rm -rf dist $(E2E)/out

# ---------------------------------------------------------------------------------------
## The app built for a sub-path, as GitHub Pages serves a project site (/<repo>/): the
## release build with --public-url /gallery/ in $(SUBPATH_ROOT)/gallery/, with the Pages
## 404 fallback. The end-to-end tests serve $(SUBPATH_ROOT) and open the app under /gallery/.
SUBPATH_ROOT := $(TARGET_DIR)/subpath
.PHONY: dist-subpath
dist-subpath: setup demo
	$(TRUNK_BUILD) --public-url /gallery/ --dist $(SUBPATH_ROOT)/gallery
	bash scripts/pages/fallback.sh $(SUBPATH_ROOT)/gallery /gallery/
