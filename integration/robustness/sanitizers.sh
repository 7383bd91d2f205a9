#!/usr/bin/env bash
# Runs end-to-end robustness tests against ThreadSanitizer and AddressSanitizer builds of elegyd, then lists every
# sanitizer report found in the daemons' logs. Slow (two extra builds, ~10 min each on 2 cores): not part of
# scripts/test.sh. Exit status 1 when a sanitizer reported anything or a test failed.
#
#   integration/robustness/sanitizers.sh                 # both sanitizers
#   integration/robustness/sanitizers.sh thread          # one of them
#   TESTS="test_floods.py" integration/robustness/sanitizers.sh address
set -uo pipefail
cd "$(dirname "$0")/../.."

kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(thread address)
TESTS=${TESTS:-"test_fuzz.py test_floods.py test_concurrency.py test_signals.py test_devices.py test_hostile_files.py"}
status=0

for kind in "${kinds[@]}"; do
    case "$kind" in
        thread) scratch=.build-tsan ;;
        address) scratch=.build-asan ;;
        *) echo "unknown sanitizer: $kind (thread or address)" >&2; exit 2 ;;
    esac
    echo "== $kind: swift build --sanitize=$kind --scratch-path $scratch --product elegyd"
    # A dynamically linked Swift runtime: ThreadSanitizer's libdispatch interceptors fail in a static link.
    if ! ELEGY_DYNAMIC_RUNTIME=1 swift build --sanitize="$kind" --scratch-path "$scratch" --product elegyd; then
        echo "== $kind: the build failed" >&2
        status=1
        continue
    fi
    basetemp=$(mktemp -d "/tmp/elegy-$kind-XXXXXX")
    selected=()
    for test in $TESTS; do selected+=("integration/robustness/$test"); done
    # Sanitizers slow the daemon down (TSan ~5-15x): longer timeouts, fewer fuzz inputs, quarantine-sized RSS.
    ELEGYD="$PWD/$scratch/debug/elegyd" \
        ELEGY_TIMEOUT_SCALE=${ELEGY_TIMEOUT_SCALE:-8} \
        ELEGY_FUZZ_INPUTS=${ELEGY_FUZZ_INPUTS:-20000} \
        ELEGY_RSS_FACTOR=${ELEGY_RSS_FACTOR:-6} \
        ELEGY_IGNORE_PIPES=1 \
        TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 suppressions=$PWD/integration/robustness/tsan-suppressions.txt ${TSAN_OPTIONS:-}" \
        ASAN_OPTIONS="halt_on_error=0:detect_leaks=1:quarantine_size_mb=16:${ASAN_OPTIONS:-}" \
        LSAN_OPTIONS="exitcode=0:suppressions=$PWD/integration/robustness/lsan-suppressions.txt:${LSAN_OPTIONS:-}" \
        python3 -m pytest "${selected[@]}" -q -p no:cacheprovider --basetemp="$basetemp" || status=1
    reports=$(grep -l -E "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer" \
        -r "$basetemp" --include=elegyd.log 2>/dev/null || true)
    if [ -n "$reports" ]; then
        status=1
        echo "== $kind: sanitizer reports in:"
        for log in $reports; do
            echo "-- $log"
            grep -E -A 14 "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY:" "$log" \
                | head -80
        done
    else
        echo "== $kind: no sanitizer report (logs in $basetemp)"
    fi
done
exit $status
