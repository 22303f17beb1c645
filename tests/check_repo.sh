#!/usr/bin/env bash
# Repository rules CI enforces, independent of any build:
#   - msgpack-c is used only inside proto/ (one codec, DESIGN.md section 5)
#   - the public headers (include/sirocco/) include only system headers
#     and each other; the client library (client/) includes no header of
#     the engine, the worker, the gateway or the CLI, save the YAML reader
#     (lang_yaml.h, for cluster files)
#   - the partition's key layouts and raw access stay inside engined/store
#     (docs/engine.md section 3): no other file includes its private
#     headers or names their databases, keys or raw calls
#   - C sources follow .clang-format
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

if git grep -n -E '#include[[:space:]]*<msgpack' -- '*.c' '*.h' |
        grep -v '^proto/'; then
    echo "check: <msgpack.h> is included outside proto/" >&2
    fail=1
fi

if git grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
        -- 'include/sirocco/*.h' 'include/sirocco/*.h.in' |
        grep -v -E '#[[:space:]]*include[[:space:]]*"sirocco/'; then
    echo "check: a public header includes a header that is not public" >&2
    fail=1
fi

if git grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(lang|core|store|eng|sim|wrk|gw|cli|cmd)_' \
        -- 'client/*.c' 'client/*.h' | grep -v -F '"lang_yaml.h"'; then
    echo "check: client/ includes a header of another component" >&2
    fail=1
fi

if git grep -n -P '"store_(db|key|rec)\.h"|\bSTORE_(DB|KEY)_|\bstore_(scan|get|get_raw|put|put_raw|del|count|key_\w+)\s*\(' \
        -- '*.c' '*.h' ':!engined/store/'; then
    echo "check: a key layout or raw store access outside engined/store" \
        "(use store_read.h)" >&2
    fail=1
fi

if command -v clang-format >/dev/null; then
    files=$(git ls-files '*.c' '*.h' '*.h.in')
    log=$(mktemp) # not /tmp/NAME.$$: PIDs repeat across sandboxes
    if [ -n "$files" ] &&
            ! clang-format --dry-run -Werror $files 2>"$log"; then
        head -n 40 "$log" >&2
        echo "check: files differ from .clang-format (run deploy/format.sh)" >&2
        fail=1
    fi
    rm -f "$log"
fi

exit $fail
