#!/usr/bin/env bash
# The project's test command (README, .ci/run): install dependencies, build, run every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --no-parallel
python3 -m pytest tests/service -q
tests/systemd-verify.sh
echo "all tests passed"
