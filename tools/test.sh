#!/usr/bin/env bash
# Runs the test suite: installs the system libraries, filter plugins and the Python
# packages the tests run if needed, then `swift test`.
# The suites are XCTest; the Swift Testing runner, which would find none, is left out
# so the run ends on XCTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --tests
swift test --disable-swift-testing "$@"
