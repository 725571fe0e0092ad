#!/usr/bin/env bash
# Installs the Debian 12 packages Palika builds and tests with (see ../DESIGN.md "Dependencies").
# Idempotent: it asks apt only for what is missing, so a second run does nothing and needs no network.
# Usage: scripts/install-deps.sh [EXTRA-PACKAGE...]
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config make
  # HTTP, JSON, URL (Boost 1.81 only: the 1.74 -dev packages conflict)
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev
  # storage and crypto
  libsqlite3-dev sqlite3 libsodium-dev liboath-dev
  # PostgreSQL (issue 6): libpqxx for the engine, the 15 server for the throw-away test clusters
  # (scripts/pg-test-cluster.sh) and psql
  postgresql-15 libpqxx-dev
  # SHA-256 of ledger entries and Merkle nodes with the CPU's SHA instructions (libcrypto)
  libssl-dev
  # tcmalloc for the release programs (CMakeLists.txt: ~9% less server CPU a payment)
  libgoogle-perftools-dev
  # logging, formatting, CLI
  libspdlog-dev libfmt-dev libcli11-dev
  # PDF receipts with correct Hindi shaping, and their QR codes (src/documents); the receipt
  # tests read the PDFs back with poppler-utils (pdftotext, pdffonts, pdftoppm)
  libpango1.0-dev libcairo2-dev libqrencode-dev fonts-noto-core poppler-utils
  # spreadsheets of the accounts' reports (the DCB register as .xlsx)
  libxlsxwriter-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev curl
  # the format check in `make test`
  clang-format
  # the web's templates (src/web), and the browser tests' browser (tests/e2e)
  libkainjow-mustache-dev chromium
)
# The browser tests run on Node (playwright-core). Debian's nodejs and npm, unless a node is
# already there (another packaging of it would conflict with Debian's npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
# Extra packages for one target, e.g. `scripts/install-deps.sh clang-tidy` for `make tidy`
# (clang-tidy brings all of clang, so only those who lint pay for it).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# playwright-core and axe-core (the accessibility checks) for the browser tests, at the versions
# tests/e2e/package-lock.json pins, into tests/e2e/node_modules (npm ci: exactly the lock file;
# only when one is missing or another version).
e2e="$(cd "$(dirname "$0")/.." && pwd)/tests/e2e"
want="" have=""
for pkg in playwright-core axe-core; do
  want+="$(sed -n "s/.*\"$pkg\": \"\([^\"]*\)\".*/\1/p" "$e2e/package.json") "
  have+="$(sed -n 's/^ *"version": "\([^"]*\)".*/\1/p' "$e2e/node_modules/$pkg/package.json" \
    2>/dev/null | head -1 || true) "
done
if [ "$want" != "$have" ]; then
  echo "Installing playwright-core and axe-core ($want) into tests/e2e/node_modules"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
