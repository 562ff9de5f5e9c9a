#!/usr/bin/env bash
# The quick start: install the system libraries if needed, build BlockNMF, and run
# its demo (learn the 17 parts of the swimmer images).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product blocknmf
.build/release/blocknmf demo "$@"
