#!/usr/bin/env bash
# scripts/test.sh — Elegy's one test command (README, `make test` and .ci/run call it).
# From a fresh clone on Debian 12: installs what the tests need, builds the package and its tests, runs every
# Swift test suite, the Python suites under integration/ (e2e: the real elegyd driven by mpc, python-mpd2 and
# elegy; service; robustness) and the systemd unit check, then prints a one-line summary. Exits non-zero if any
# step fails.
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

# The Python suites under integration/ (one harness: integration/harness).
python_suites=(integration/e2e integration/service)
step "python suites: ${python_suites[*]}"
python3 -m pytest "${python_suites[@]}" -q

# The robustness suite (integration/robustness): protocol fuzzing (100,000 inputs, seeded), hostile files, device
# failures, connection floods, signals; `--long` for the benchmark sizes.
step "robustness"
python3 -m pytest integration/robustness -q -p no:cacheprovider

step "systemd units"
integration/systemd-verify.sh

echo
echo "test.sh: all passed: swift build, swift test, pytest ${python_suites[*]} integration/robustness, systemd verify ($((SECONDS - started)) s)"
