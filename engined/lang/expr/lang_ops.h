// Operators with Python's semantics (which YAQL and Jinja both inherit):
// arithmetic on int (64-bit, overflow is an error) and float, bool counting
// as an int, equality where 1 == 1.0 == True, ordering that refuses mixed
// types, membership (`in`), concatenation, and YAQL's few differences
// (int / int floors, null sorts first, dict + dict merges).
//
// Thread rule: functions of one evaluation environment.
#ifndef LANG_OPS_H
#define LANG_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "lang_ast.h"
#include "lang_eval.h"

// Unary operator. *out is a new reference.
sr_err_t lang_op_unary(lang_env_t *e, lang_op_t op, const sr_value_t *a,
                       sr_value_t **out);
// Binary operator; `yaql` selects YAQL's rules where they differ.
sr_err_t lang_op_binary(lang_env_t *e, lang_op_t op, bool yaql, sr_value_t *a,
                        sr_value_t *b, sr_value_t **out);

// Python ==.
bool lang_equal(const sr_value_t *a, const sr_value_t *b);
// Python ordering: *cmp < 0, 0, > 0; an error for types that do not order
// (YAQL orders null before anything).
sr_err_t lang_order(lang_env_t *e, const sr_value_t *a, const sr_value_t *b,
                    bool yaql, int *cmp);
// `item in container`.
sr_err_t lang_contains(lang_env_t *e, const sr_value_t *container,
                       const sr_value_t *item, bool *out);

// A hash consistent with lang_equal (1, 1.0 and True hash alike), keyed
// like sr_hash_bytes (it differs from one process to the next).
uint32_t lang_hash(const sr_value_t *v);

// A number as a double, with bool as 0/1; false when not a number.
bool lang_num(const sr_value_t *v, double *d);
// An integer (int or bool); false otherwise.
bool lang_int(const sr_value_t *v, int64_t *i);

#endif
