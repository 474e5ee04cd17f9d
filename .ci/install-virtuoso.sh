#!/usr/bin/env bash
# Install Debian's Virtuoso 7 (virtuoso-t) for the external SPARQL server test
# (tests/test_virtuoso.py), which starts its own server on free ports of 127.0.0.1 with a
# database in a temporary folder. Does nothing when virtuoso-t is already there. CI runs as
# root on Debian. The package's own service is not started: the tests do not need it.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then  # keep the package from starting the system's Virtuoso
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
command -v virtuoso-t
