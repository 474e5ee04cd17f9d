#!/usr/bin/env bash
# The whole test suite, as the README gives it and CI runs it.
# Installs the test dependencies (the package's `test` extra) and, for the browser test,
# Debian's Chromium when it is missing; then runs pytest over everything.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q ".[test]"
if [ -x .ci/install-browser.sh ]; then
  bash .ci/install-browser.sh
fi
python -m pytest -q "$@"
