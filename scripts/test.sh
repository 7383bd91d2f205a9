#!/usr/bin/env bash
# scripts/test.sh — Elegy's one test command (README, `make test` and .ci/run call it).
# From a fresh clone on Debian 12: installs what the tests need, builds the package and its tests, runs every
# Swift test suite, the end-to-end suite (tests/e2e: the real elegyd driven by mpc, python-mpd2 and elegy) and
# the systemd unit check, then prints a one-line summary. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step() { printf '\n== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "swift build --build-tests"
swift build --build-tests

# The audio suites start their own PulseAudio; run the suites one at a time so that they do not compete for it.
step "swift test"
swift test --skip-build --no-parallel

# Every Python suite under tests/ (tests/e2e here; tests/service where it exists).
python_suites=()
for suite in tests/e2e tests/service; do
    [[ -d $suite ]] && python_suites+=("$suite")
done
step "python suites: ${python_suites[*]}"
python3 -m pytest "${python_suites[@]}" -q

# The robustness suite (tests/robustness): protocol fuzzing (100,000 inputs, seeded), hostile files, device
# failures, connection floods, signals; `--long` for the benchmark sizes.
step "robustness"
python3 -m pytest tests/robustness -q -p no:cacheprovider

step "systemd units"
tests/systemd-verify.sh

echo
echo "test.sh: all passed: swift build, swift test, pytest ${python_suites[*]} tests/robustness, systemd verify ($((SECONDS - started)) s)"
