#!/usr/bin/env bash
# Runs the test suite: installs the system libraries if needed, then `swift test`.
# The suites are XCTest; the Swift Testing runner, which would find none, is left out
# so the run ends on XCTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift test --disable-swift-testing "$@"
