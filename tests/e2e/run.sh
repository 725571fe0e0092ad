#!/usr/bin/env bash
# Runs the browser tests (ctest's e2e_browser): node's test runner, playwright-core driving
# Debian's chromium against the given palika binary. scripts/install-deps.sh installs node,
# chromium and tests/e2e/node_modules; this script only says clearly what is missing.
# Usage: tests/e2e/run.sh PALIKA_BINARY SCREENSHOT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PALIKA_BINARY="${1:?usage: run.sh PALIKA_BINARY SCREENSHOT_DIR}"
export PALIKA_E2E_SCREENSHOTS="${2:?usage: run.sh PALIKA_BINARY SCREENSHOT_DIR}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
for need in node "$CHROMIUM"; do
  if ! command -v "$need" >/dev/null; then
    echo "e2e: $need is missing; run scripts/install-deps.sh" >&2
    exit 1
  fi
done
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  echo "e2e: playwright-core is not installed in tests/e2e; run scripts/install-deps.sh" >&2
  exit 1
fi
rm -rf "$PALIKA_E2E_SCREENSHOTS"
cd "$here"
exec node --test --test-concurrency=1 web.test.js a11y.test.js office.test.js
