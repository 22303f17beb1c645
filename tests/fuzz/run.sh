#!/usr/bin/env bash
# Runs every libFuzzer target in a folder for a few seconds each.
#   tests/fuzz/run.sh BUILD_FUZZ_DIR SECONDS
# Seeds come from tests/fuzz/seeds/<target>/ when present; new inputs go to a
# temporary corpus. Any crash, leak or timeout fails the run.
set -euo pipefail
dir=$1
secs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for target in "$dir"/*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=$(mktemp -d)
    seeds="$here/seeds/$name"
    args=("$corpus")
    [ -d "$seeds" ] && args+=("$seeds")
    echo "fuzz: $name for ${secs}s"
    if ! "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=0 "${args[@]}" \
            >"$corpus.log" 2>&1; then
        tail -n 60 "$corpus.log"
        echo "fuzz: $name FAILED" >&2
        status=1
    fi
    rm -rf "$corpus" "$corpus.log"
done
exit $status
