#!/usr/bin/env bash
# What each program links of the workflow language, read with nm from a
# build (ctest repo.links; usage: tests/check_links.sh BUILD_DIR):
#   - the YAML reader (sirocco_yaml) uses nothing of the expressions or
#     the workflow spec;
#   - the client library uses nothing of them either, and a program built
#     on it alone (the client tests) holds none of their code;
#   - no gateway file uses them (engines load, validate and describe
#     workflow definitions for Mistral's /v2/workflows), and the
#     sirocco-gateway program holds none of their code.
set -euo pipefail
export LC_ALL=C # one collation for sort, comm and join
build=${1:?usage: check_links.sh BUILD_DIR}
lib=$build/lib
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$lib"/libsirocco_{yaml,expr,lang,client,gateway}.a \
    "$build/tests/sr_client_file_test" "$build/bin/sirocco-gateway"; do
    [ -f "$f" ] || { echo "check_links: $f is not built" >&2; exit 1; }
done

# Global symbols an archive or program defines, or leaves undefined.
defined() { nm -g --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u; }
undefined() { nm -g -u "$@" | awk 'NF >= 2 { print $NF }' | sort -u; }

defined "$lib/libsirocco_expr.a" >"$tmp/expr"
defined "$lib/libsirocco_lang.a" >"$tmp/spec"
sort -u "$tmp/expr" "$tmp/spec" >"$tmp/language"

# Fails, naming the first few, when stdin holds any symbol; $1 says why
# they must not be there.
none() {
    local found
    found=$(cat)
    [ -z "$found" ] && return 0
    echo "check_links: $1:" $(echo "$found" | head -n 5) >&2
    return 1
}

undefined "$lib/libsirocco_yaml.a" | comm -12 - "$tmp/language" |
    none "the YAML reader uses the expressions or the spec" || fail=1
undefined "$lib/libsirocco_client.a" | comm -12 - "$tmp/language" |
    none "the client library uses the expressions or the spec" || fail=1
defined "$build/tests/sr_client_file_test" | comm -12 - "$tmp/language" |
    none "a program on the client library holds expression or spec code" || fail=1

# Gateway objects, each with the spec and expression symbols it uses.
nm -A -g -u "$lib/libsirocco_gateway.a" |
    awk '{ split($1, p, ":"); print p[2], $NF }' | sort -k2,2 >"$tmp/gw"
join -1 2 -2 1 "$tmp/gw" "$tmp/language" | awk '{ print $2 ":" $1 }' |
    none "gateway files use the expressions or the spec" || fail=1
defined "$build/bin/sirocco-gateway" | comm -12 - "$tmp/language" |
    none "the gateway program holds expression or spec code" || fail=1

exit $fail
