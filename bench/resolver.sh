#!/bin/sh
# Builds elegy-bench in release mode and runs the resolver benchmark: a synthetic 100,000-file library, ~200
# curated songs. Usage: bench/resolver.sh [library-size]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product elegy-bench
exec "$(swift build -c release --show-bin-path)/elegy-bench" resolver "$@"
