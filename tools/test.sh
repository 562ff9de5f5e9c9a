#!/usr/bin/env bash
# Runs the test suite: installs the system libraries if needed, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift test "$@"
