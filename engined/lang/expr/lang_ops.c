// Operator semantics of YAQL and Jinja, both Python underneath: int and
// float arithmetic with Python's floor division and modulo, equality and
// ordering, `in`, and the string, list and dict forms of + and *. Builds
// result values; never changes its operands.
#include "lang_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_text.h"
#include "sr_hash.h"

#define S_EQ_DEPTH 512

bool
lang_int(const sr_value_t *v, int64_t *i)
{
    switch (sr_value_type(v)) {
    case SR_T_INT:
        *i = sr_value_int(v);
        return true;
    case SR_T_BOOL:
        *i = sr_value_bool(v) ? 1 : 0;
        return true;
    default:
        return false;
    }
}

bool
lang_num(const sr_value_t *v, double *d)
{
    int64_t i;
    if (sr_value_type(v) == SR_T_FLOAT) {
        *d = sr_value_float(v);
        return true;
    }
    if (lang_int(v, &i)) {
        *d = (double)i;
        return true;
    }
    return false;
}

static bool
s_equal(const sr_value_t *a, const sr_value_t *b, int depth)
{
    double x, y;
    int64_t i, j;
    if (depth > S_EQ_DEPTH)
        return false;
    if (lang_int(a, &i) && lang_int(b, &j))
        return i == j;
    if (lang_num(a, &x) && lang_num(b, &y))
        return x == y;
    sr_type_t ta = sr_value_type(a), tb = sr_value_type(b);
    if (ta != tb)
        return false;
    switch (ta) {
    case SR_T_NIL:
        return true;
    case SR_T_STR:
    case SR_T_BIN: {
        size_t la, lb;
        const void *pa = sr_value_bin(a, &la), *pb = sr_value_bin(b, &lb);
        return la == lb && memcmp(pa, pb, la) == 0;
    }
    case SR_T_ARRAY:
        if (sr_value_len(a) != sr_value_len(b))
            return false;
        for (size_t k = 0; k < sr_value_len(a); k++)
            if (!s_equal(sr_value_array_at(a, k), sr_value_array_at(b, k),
                         depth + 1))
                return false;
        return true;
    case SR_T_MAP:
        if (sr_value_len(a) != sr_value_len(b))
            return false;
        for (size_t k = 0; k < sr_value_len(a); k++) {
            const sr_value_t *key = sr_value_map_key(a, k);
            const sr_value_t *other =
                sr_value_map_getn(b, sr_value_str(key), sr_value_len(key));
            if (!other || !s_equal(sr_value_map_val(a, k), other, depth + 1))
                return false;
        }
        return true;
    default:
        return false;
    }
}

static uint64_t
s_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

// Leaves hash under the process's key (sr_hash_bytes), so that values
// chosen to collide cannot be made; containers mix their children's.
static uint32_t
s_hash(const sr_value_t *v, int depth)
{
    int64_t i;
    double d;
    if (depth > S_EQ_DEPTH)
        return 0;
    if (lang_int(v, &i))
        return sr_hash_bytes(&i, sizeof i);
    if (lang_num(v, &d)) {
        if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
            i = (int64_t)d; // 2.0 == 2
            return sr_hash_bytes(&i, sizeof i);
        }
        return sr_hash_bytes(&d, sizeof d);
    }
    uint64_t h = sr_value_type(v);
    switch (sr_value_type(v)) {
    case SR_T_STR:
    case SR_T_BIN: {
        size_t len;
        const unsigned char *p = sr_value_bin(v, &len);
        return (uint32_t)h ^ sr_hash_bytes(p, len);
    }
    case SR_T_ARRAY:
        for (size_t k = 0; k < sr_value_len(v); k++)
            h = s_mix(h ^ s_hash(sr_value_array_at(v, k), depth + 1));
        return (uint32_t)h;
    case SR_T_MAP: {
        uint64_t sum = 0; // order does not matter for dicts
        for (size_t k = 0; k < sr_value_len(v); k++)
            sum += s_mix(s_hash(sr_value_map_key(v, k), depth + 1) ^
                         s_mix(s_hash(sr_value_map_val(v, k), depth + 1)));
        return (uint32_t)s_mix(h ^ sum);
    }
    default:
        return (uint32_t)h;
    }
}

uint32_t
lang_hash(const sr_value_t *v)
{
    return s_hash(v, 0);
}

bool
lang_equal(const sr_value_t *a, const sr_value_t *b)
{
    return s_equal(a, b, 0);
}

static sr_err_t
s_order(lang_env_t *e, const sr_value_t *a, const sr_value_t *b, bool yaql,
        int *cmp, int depth)
{
    double x, y;
    int64_t i, j;
    sr_type_t ta = sr_value_type(a), tb = sr_value_type(b);
    if (depth > S_EQ_DEPTH)
        return lang_fail(e, "values are nested too deeply to compare");
    if (lang_int(a, &i) && lang_int(b, &j)) {
        *cmp = (i > j) - (i < j);
        return SR_OK;
    }
    if (lang_num(a, &x) && lang_num(b, &y)) {
        *cmp = (x > y) - (x < y);
        return SR_OK;
    }
    if (yaql && (ta == SR_T_NIL || tb == SR_T_NIL)) {
        *cmp = (ta != SR_T_NIL) - (tb != SR_T_NIL);
        return SR_OK;
    }
    if (ta == SR_T_STR && tb == SR_T_STR) {
        size_t la = sr_value_len(a), lb = sr_value_len(b);
        int c = memcmp(sr_value_str(a), sr_value_str(b), la < lb ? la : lb);
        *cmp = c ? (c > 0) - (c < 0) : (la > lb) - (la < lb);
        return SR_OK;
    }
    if (ta == SR_T_ARRAY && tb == SR_T_ARRAY) {
        size_t la = sr_value_len(a), lb = sr_value_len(b);
        for (size_t k = 0; k < la && k < lb; k++) {
            const sr_value_t *p = sr_value_array_at(a, k);
            const sr_value_t *q = sr_value_array_at(b, k);
            if (s_equal(p, q, depth + 1))
                continue;
            return s_order(e, p, q, yaql, cmp, depth + 1);
        }
        *cmp = (la > lb) - (la < lb);
        return SR_OK;
    }
    return lang_fail(e,
                     "'<' not supported between instances of '%s' and "
                     "'%s'",
                     lang_type_name(a), lang_type_name(b));
}

sr_err_t
lang_order(lang_env_t *e, const sr_value_t *a, const sr_value_t *b, bool yaql,
           int *cmp)
{
    return s_order(e, a, b, yaql, cmp, 0);
}

sr_err_t
lang_contains(lang_env_t *e, const sr_value_t *container,
              const sr_value_t *item, bool *out)
{
    switch (sr_value_type(container)) {
    case SR_T_STR:
        if (sr_value_type(item) != SR_T_STR)
            return lang_fail(e,
                             "'in <string>' requires string as left "
                             "operand, not %s",
                             lang_type_name(item));
        *out = sr_value_len(item) == 0 ||
               memmem(sr_value_str(container), sr_value_len(container),
                      sr_value_str(item), sr_value_len(item)) != NULL;
        return SR_OK;
    case SR_T_ARRAY:
        *out = false;
        for (size_t k = 0; k < sr_value_len(container) && !*out; k++)
            *out = lang_equal(sr_value_array_at(container, k), item);
        return lang_step(e, sr_value_len(container));
    case SR_T_MAP:
        *out = sr_value_type(item) == SR_T_STR &&
               sr_value_map_getn(container, sr_value_str(item),
                                 sr_value_len(item)) != NULL;
        return SR_OK;
    default:
        return lang_fail(e, "argument of type '%s' is not iterable",
                         lang_type_name(container));
    }
}

static sr_err_t
s_new(lang_env_t *e, sr_value_t *v, sr_value_t **out)
{
    if (!v)
        return lang_oom(e);
    *out = v;
    return SR_OK;
}

static sr_err_t
s_unsupported(lang_env_t *e, const char *op, const sr_value_t *a,
              const sr_value_t *b)
{
    return lang_fail(e, "unsupported operand type(s) for %s: '%s' and '%s'", op,
                     lang_type_name(a), lang_type_name(b));
}

static sr_err_t
s_int_result(lang_env_t *e, bool overflow, int64_t r, sr_value_t **out)
{
    if (overflow)
        return lang_fail(e, "integer overflow");
    return s_new(e, sr_value_new_int(r), out);
}

static int64_t
s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t
s_floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}

static sr_err_t
s_pow_int(lang_env_t *e, int64_t base, int64_t exp, sr_value_t **out)
{
    int64_t r = 1;
    bool overflow = false;
    while (exp > 0 && !overflow) {
        if (exp & 1)
            overflow = __builtin_mul_overflow(r, base, &r);
        exp >>= 1;
        if (exp)
            overflow = overflow || __builtin_mul_overflow(base, base, &base);
    }
    return s_int_result(e, overflow, r, out);
}

// + - * / // % ** on two numbers.
static sr_err_t
s_arith(lang_env_t *e, lang_op_t op, const sr_value_t *a, const sr_value_t *b,
        sr_value_t **out)
{
    int64_t i = 0, j = 0, r = 0;
    double x, y;
    bool ints = lang_int(a, &i) && lang_int(b, &j), over;
    lang_num(a, &x);
    lang_num(b, &y);
    if ((op == LANG_OP_DIV || op == LANG_OP_YDIV || op == LANG_OP_FLOORDIV ||
         op == LANG_OP_MOD) &&
        y == 0)
        return lang_fail(e, ints ? "integer division or modulo by zero"
                                 : "float division by zero");
    switch (op) {
    case LANG_OP_ADD:
        if (ints) {
            over = __builtin_add_overflow(i, j, &r);
            return s_int_result(e, over, r, out);
        }
        return s_new(e, sr_value_new_float(x + y), out);
    case LANG_OP_SUB:
        if (ints) {
            over = __builtin_sub_overflow(i, j, &r);
            return s_int_result(e, over, r, out);
        }
        return s_new(e, sr_value_new_float(x - y), out);
    case LANG_OP_MUL:
        if (ints) {
            over = __builtin_mul_overflow(i, j, &r);
            return s_int_result(e, over, r, out);
        }
        return s_new(e, sr_value_new_float(x * y), out);
    case LANG_OP_DIV:
        return s_new(e, sr_value_new_float(x / y), out);
    case LANG_OP_YDIV:
    case LANG_OP_FLOORDIV:
        if (ints)
            return s_int_result(e, i == INT64_MIN && j == -1,
                                i == INT64_MIN ? 0 : s_floor_div(i, j), out);
        return s_new(
            e, sr_value_new_float(op == LANG_OP_YDIV ? x / y : floor(x / y)),
            out);
    case LANG_OP_MOD:
        if (ints)
            return s_new(e, sr_value_new_int(j == -1 ? 0 : s_floor_mod(i, j)),
                         out);
        double m = fmod(x, y);
        if (m != 0 && ((m < 0) != (y < 0)))
            m += y;
        return s_new(e, sr_value_new_float(m), out);
    case LANG_OP_POW:
        if (ints && j >= 0)
            return s_pow_int(e, i, j, out);
        if (x == 0 && y < 0)
            return lang_fail(e, "0.0 cannot be raised to a negative power");
        return s_new(e, sr_value_new_float(pow(x, y)), out);
    default:
        return lang_fail(e, "unknown operator");
    }
}

static sr_err_t
s_concat(lang_env_t *e, const sr_value_t *a, const sr_value_t *b,
         sr_value_t **out)
{
    lang_buf_t buf = {.limit = e->max_bytes};
    sr_err_t rc = lang_text_str(&buf, a);
    if (rc == SR_OK)
        rc = lang_text_str(&buf, b);
    if (rc == SR_OK)
        rc = lang_buf_take(&buf, out);
    lang_buf_fini(&buf);
    return rc == SR_OK ? SR_OK : lang_fail_code(e, rc);
}

static sr_err_t
s_join_lists(lang_env_t *e, const sr_value_t *a, const sr_value_t *b,
             size_t times, sr_value_t **out)
{
    size_t n = sr_value_len(a) + (b ? sr_value_len(b) : 0);
    if (times && n > SIZE_MAX / times)
        return lang_check_items(e, SIZE_MAX);
    sr_err_t rc = lang_check_items(e, n * times);
    if (rc == SR_OK)
        rc = lang_step(e, n * times);
    if (rc != SR_OK)
        return rc;
    sr_value_t *list = sr_value_new_array(n * times);
    if (!list)
        return lang_oom(e);
    for (size_t t = 0; t < times; t++) {
        for (size_t k = 0; k < n; k++) {
            size_t la = sr_value_len(a);
            sr_value_t *item =
                k < la ? sr_value_array_at(a, k) : sr_value_array_at(b, k - la);
            if (sr_value_array_append(list, sr_value_ref(item)) != SR_OK) {
                sr_value_destroy(&list);
                return lang_oom(e);
            }
        }
    }
    *out = list;
    return SR_OK;
}

static sr_err_t
s_repeat_str(lang_env_t *e, const sr_value_t *s, int64_t times,
             sr_value_t **out)
{
    size_t len = sr_value_len(s), n = times > 0 ? (size_t)times : 0;
    if (n && len > SIZE_MAX / n)
        return lang_check_bytes(e, SIZE_MAX);
    sr_err_t rc = lang_check_bytes(e, len * n);
    if (rc != SR_OK)
        return rc;
    lang_buf_t buf = {0};
    for (size_t k = 0; rc == SR_OK && k < n; k++)
        rc = lang_buf_put(&buf, sr_value_str(s), len);
    if (rc == SR_OK)
        rc = lang_buf_take(&buf, out);
    lang_buf_fini(&buf);
    return rc == SR_OK ? SR_OK : lang_fail_code(e, rc);
}

static sr_err_t
s_merge_maps(lang_env_t *e, const sr_value_t *a, const sr_value_t *b,
             sr_value_t **out)
{
    sr_err_t rc = lang_check_items(e, sr_value_len(a) + sr_value_len(b));
    if (rc != SR_OK)
        return rc;
    sr_value_t *m = sr_value_new_map(sr_value_len(a) + sr_value_len(b));
    if (!m || sr_value_map_merge(m, a, false) != SR_OK ||
        sr_value_map_merge(m, b, false) != SR_OK) {
        sr_value_destroy(&m);
        return lang_oom(e);
    }
    *out = m;
    return SR_OK;
}

static sr_err_t
s_add_mul(lang_env_t *e, lang_op_t op, bool yaql, const sr_value_t *a,
          const sr_value_t *b, sr_value_t **out)
{
    sr_type_t ta = sr_value_type(a), tb = sr_value_type(b);
    int64_t n;
    if (op == LANG_OP_ADD) {
        if (ta == SR_T_STR && tb == SR_T_STR)
            return s_concat(e, a, b, out);
        if (ta == SR_T_ARRAY && tb == SR_T_ARRAY)
            return s_join_lists(e, a, b, 1, out);
        if (yaql && ta == SR_T_MAP && tb == SR_T_MAP)
            return s_merge_maps(e, a, b, out);
        return s_unsupported(e, "+", a, b);
    }
    if (ta == SR_T_STR && lang_int(b, &n))
        return s_repeat_str(e, a, n, out);
    if (tb == SR_T_STR && lang_int(a, &n))
        return s_repeat_str(e, b, n, out);
    if (ta == SR_T_ARRAY && lang_int(b, &n))
        return s_join_lists(e, a, NULL, n > 0 ? (size_t)n : 0, out);
    if (tb == SR_T_ARRAY && lang_int(a, &n))
        return s_join_lists(e, b, NULL, n > 0 ? (size_t)n : 0, out);
    return s_unsupported(e, "*", a, b);
}

static const char *
s_op_text(lang_op_t op)
{
    switch (op) {
    case LANG_OP_SUB:
        return "-";
    case LANG_OP_DIV:
    case LANG_OP_YDIV:
        return "/";
    case LANG_OP_FLOORDIV:
        return "//";
    case LANG_OP_MOD:
        return "%";
    case LANG_OP_POW:
        return "**";
    default:
        return "?";
    }
}

sr_err_t
lang_op_binary(lang_env_t *e, lang_op_t op, bool yaql, sr_value_t *a,
               sr_value_t *b, sr_value_t **out)
{
    double x, y;
    int cmp;
    bool in;
    sr_err_t rc;
    switch (op) {
    case LANG_OP_EQ:
    case LANG_OP_NE:
        *out = sr_value_new_bool(lang_equal(a, b) == (op == LANG_OP_EQ));
        return SR_OK;
    case LANG_OP_LT:
    case LANG_OP_LE:
    case LANG_OP_GT:
    case LANG_OP_GE:
        if ((rc = lang_order(e, a, b, yaql, &cmp)) != SR_OK)
            return rc;
        *out = sr_value_new_bool(op == LANG_OP_LT   ? cmp < 0
                                 : op == LANG_OP_LE ? cmp <= 0
                                 : op == LANG_OP_GT ? cmp > 0
                                                    : cmp >= 0);
        return SR_OK;
    case LANG_OP_IN:
    case LANG_OP_NOT_IN:
        if ((rc = lang_contains(e, b, a, &in)) != SR_OK)
            return rc;
        *out = sr_value_new_bool(in == (op == LANG_OP_IN));
        return SR_OK;
    case LANG_OP_CONCAT:
        return s_concat(e, a, b, out);
    default:
        break;
    }
    if (lang_num(a, &x) && lang_num(b, &y))
        return s_arith(e, op, a, b, out);
    if (op == LANG_OP_ADD || op == LANG_OP_MUL)
        return s_add_mul(e, op, yaql, a, b, out);
    if (op == LANG_OP_MOD && !yaql && sr_value_type(a) == SR_T_STR)
        return lang_fail(e, "string formatting with %% is not supported");
    return s_unsupported(e, s_op_text(op), a, b);
}

sr_err_t
lang_op_unary(lang_env_t *e, lang_op_t op, const sr_value_t *a,
              sr_value_t **out)
{
    int64_t i;
    if (op == LANG_OP_NOT) {
        *out = sr_value_new_bool(!sr_value_truthy(a));
        return SR_OK;
    }
    if (lang_int(a, &i)) {
        if (op == LANG_OP_NEG && i == INT64_MIN)
            return lang_fail(e, "integer overflow");
        return s_new(e, sr_value_new_int(op == LANG_OP_NEG ? -i : i), out);
    }
    if (sr_value_type(a) == SR_T_FLOAT)
        return s_new(e,
                     sr_value_new_float(op == LANG_OP_NEG ? -sr_value_float(a)
                                                          : sr_value_float(a)),
                     out);
    return lang_fail(e, "bad operand type for unary %s: '%s'",
                     op == LANG_OP_NEG ? "-" : "+", lang_type_name(a));
}
