#!/usr/bin/env bash
# Runs the whole test suite, as CI does:
#   1. repository checks (formatting, msgpack confined to proto/, docs in sync)
#   2. a -Werror build and every ctest test
#   3. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   4. a short run of every libFuzzer target (FUZZ_SECONDS each, default 10)
# Environment: SKIP_ASAN=1, SKIP_FUZZ=1 to shorten a local run.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup.sh --deps
jobs=$(nproc)

echo "== checks"
tests/check_repo.sh

echo "== build (-Werror)"
cmake -S . -B build -DWERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${SKIP_ASAN:-0}" != 1 ]; then
    echo "== build (ASan + UBSan)"
    cmake -S . -B build-asan -DWERROR=ON -DSANITIZE=ON \
        -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build build-asan -j"$jobs"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    echo "== fuzz"
    CC=clang cmake -S . -B build-fuzz -DFUZZ=ON -DWERROR=ON \
        -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzzers
    tests/fuzz/run.sh build-fuzz/fuzz "${FUZZ_SECONDS:-10}"
fi
echo "== all tests passed"
