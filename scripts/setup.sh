#!/usr/bin/env bash
# Installs what building and testing ScaleEdit Gallery needs, when it is missing or at the
# wrong version, and prints one line per tool. Safe to rerun: with everything in place it
# only checks versions and takes a few seconds.
#
#   Debian packages  clang, llvm-ar (C code of zstd compiled to wasm32), chromium and
#                    chromedriver (headless browser tests)
#   rustup target    wasm32-unknown-unknown
#   cargo tools      trunk 0.21.14; wasm-bindgen-cli at the version of the `wasm-bindgen`
#                    crate in Cargo.lock (wasm-bindgen, wasm-bindgen-test-runner)
#   npm packages     tests/e2e/node_modules from package-lock.json: playwright-core (drives
#                    the system Chromium) and binaryen (wasm-opt 132 for release builds)
#
# Tools are installed where a later checkout on the same machine finds them again: cargo
# tools in $CARGO_HOME/bin (~/.cargo/bin), npm packages per checkout in tests/e2e.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$ROOT/tests/e2e/node_modules/.bin:$CARGO_BIN:$PATH"

TRUNK_VERSION="0.21.14"
WASM_OPT_VERSION="132"
WASM_BINDGEN_VERSION="$(awk '
  $0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }
' Cargo.lock)"
if [[ -z "$WASM_BINDGEN_VERSION" ]]; then
  echo "setup: no wasm-bindgen package in Cargo.lock" >&2
  exit 1
fi

# One aligned line per tool: "<tool>  <found|installed>  <version>".
report() { printf '%-26s %-10s %s\n' "$1" "$2" "$3"; }
fail() { echo "setup: $*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------
# binary -> package that provides it
declare -A DEB_PACKAGE=(
  [clang]=clang
  [llvm-ar]=llvm
  [chromium]=chromium
  [chromedriver]=chromium-driver
  [node]=nodejs
  [npm]=npm
  [curl]=curl
)
missing_packages=()
for bin in clang llvm-ar chromium chromedriver node npm curl; do
  command -v "$bin" >/dev/null 2>&1 || missing_packages+=("${DEB_PACKAGE[$bin]}")
done
deb_state=found
if ((${#missing_packages[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "setup: installing Debian packages: ${missing_packages[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing_packages[@]}" >/dev/null
  deb_state=installed
fi
first_line() { "$@" 2>/dev/null | head -n 1; }
report clang "$deb_state" "$(first_line clang --version)"
report llvm-ar "$deb_state" "$(llvm-ar --version 2>/dev/null | grep -o 'LLVM version [0-9.]*' | head -n 1)"
report chromium "$deb_state" "$(first_line chromium --version)"
report chromedriver "$deb_state" "$(first_line chromedriver --version | cut -d' ' -f1-2)"
report node "$deb_state" "$(node --version) (npm $(npm --version))"

# --- Rust target -----------------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || fail "rustup not found (needed for the wasm32 target)"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  report "target wasm32" found "wasm32-unknown-unknown ($(rustc --version))"
else
  rustup target add wasm32-unknown-unknown >/dev/null
  report "target wasm32" installed "wasm32-unknown-unknown ($(rustc --version))"
fi

# --- cargo tools -----------------------------------------------------------------------
# version_of <binary> -> the second word of `<binary> --version`, or nothing when absent.
version_of() { "$CARGO_BIN/$1" --version 2>/dev/null | head -n 1 | awk '{print $2}' || true; }

if [[ "$(version_of trunk)" == "$TRUNK_VERSION" ]]; then
  report trunk found "$TRUNK_VERSION"
else
  echo "setup: building trunk $TRUNK_VERSION (several minutes)"
  env -u CARGO_TARGET_DIR cargo install trunk --version "$TRUNK_VERSION" --locked --force --quiet
  [[ "$(version_of trunk)" == "$TRUNK_VERSION" ]] || fail "trunk $TRUNK_VERSION did not install"
  report trunk installed "$TRUNK_VERSION"
fi

if [[ "$(version_of wasm-bindgen)" == "$WASM_BINDGEN_VERSION" &&
      "$(version_of wasm-bindgen-test-runner)" == "$WASM_BINDGEN_VERSION" ]]; then
  report wasm-bindgen-cli found "$WASM_BINDGEN_VERSION"
else
  echo "setup: building wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes)"
  # Not --locked: the lock file shipped with wasm-bindgen-cli does not resolve here.
  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force --quiet
  [[ "$(version_of wasm-bindgen)" == "$WASM_BINDGEN_VERSION" ]] ||
    fail "wasm-bindgen-cli $WASM_BINDGEN_VERSION did not install"
  report wasm-bindgen-cli installed "$WASM_BINDGEN_VERSION"
fi

# Trunk.toml pins the tool versions trunk accepts; they must agree with what is installed,
# or trunk would try to download others.
trunk_pin() { sed -n "s/^$1 *= *\"\\(.*\\)\".*/\\1/p" Trunk.toml | head -n 1; }
[[ "$(trunk_pin wasm_bindgen)" == "$WASM_BINDGEN_VERSION" ]] ||
  fail "Trunk.toml pins wasm_bindgen = \"$(trunk_pin wasm_bindgen)\" but Cargo.lock has $WASM_BINDGEN_VERSION: update Trunk.toml"
[[ "$(trunk_pin wasm_opt)" == "version_$WASM_OPT_VERSION" ]] ||
  fail "Trunk.toml pins wasm_opt = \"$(trunk_pin wasm_opt)\", expected version_$WASM_OPT_VERSION"

# --- npm packages ----------------------------------------------------------------------
E2E="$ROOT/tests/e2e"
npm_state=found
# node_modules/.package-lock.json is npm's record of what is installed; reinstall when the
# committed lock file is newer or differs in the pinned packages.
if [[ ! -f "$E2E/node_modules/.package-lock.json" ||
      "$E2E/package-lock.json" -nt "$E2E/node_modules/.package-lock.json" ||
      ! -x "$E2E/node_modules/.bin/wasm-opt" ||
      ! -d "$E2E/node_modules/playwright-core" ]]; then
  (cd "$E2E" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
  npm_state=installed
fi
wasm_opt_found="$(cd "$ROOT" && command -v wasm-opt)"
[[ "$wasm_opt_found" == "$E2E/node_modules/.bin/wasm-opt" ]] ||
  fail "wasm-opt on PATH is $wasm_opt_found, expected $E2E/node_modules/.bin/wasm-opt"
wasm_opt_version="$(wasm-opt --version | awk '{print $3}')"
[[ "$wasm_opt_version" == "$WASM_OPT_VERSION" ]] ||
  fail "wasm-opt is version $wasm_opt_version, expected $WASM_OPT_VERSION (run npm ci in tests/e2e)"
report wasm-opt "$npm_state" "$WASM_OPT_VERSION (binaryen, tests/e2e/node_modules)"
report playwright-core "$npm_state" "$(node -p 'require(process.argv[1]).version' "$E2E/node_modules/playwright-core/package.json")"
