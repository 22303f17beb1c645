// Diagnostics of a source file: a growable array of (position, message),
// sorted by position before it is shown. Owns the array; the messages live
// inside it. Does not decide what is an error: the YAML reader and the
// loader's rooms do.
#include "lang_diag.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The array grows in powers of two; its capacity follows from `count`.
static bool
s_is_full(size_t count)
{
    return count == 0 || (count & (count - 1)) == 0;
}

sr_err_t
lang_diag_vadd(lang_diags_t *diags, lang_pos_t pos, const char *fmt, va_list ap)
{
    if (s_is_full(diags->count)) {
        size_t cap = diags->count ? diags->count * 2 : 4;
        lang_diag_t *items = realloc(diags->items, cap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        diags->items = items;
    }
    lang_diag_t *d = &diags->items[diags->count];
    d->pos = pos;
    int n = vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    if (n >= (int)sizeof d->msg)
        memcpy(d->msg + sizeof d->msg - 4, "...", 4);
    diags->count++;
    return SR_OK;
}

sr_err_t
lang_diag_add(lang_diags_t *diags, lang_pos_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_err_t rc = lang_diag_vadd(diags, pos, fmt, ap);
    va_end(ap);
    return rc;
}

static int
s_cmp_pos(lang_pos_t a, lang_pos_t b)
{
    if (a.line != b.line)
        return a.line < b.line ? -1 : 1;
    if (a.col != b.col)
        return a.col < b.col ? -1 : 1;
    return 0;
}

void
lang_diags_sort(lang_diags_t *diags)
{
    // Insertion sort: stable, and files have few problems. For many, fall
    // back to a merge through a temporary array.
    size_t n = diags->count;
    lang_diag_t *a = diags->items;
    if (n > 64) {
        lang_diag_t *tmp = malloc(n * sizeof *tmp);
        if (tmp) {
            for (size_t width = 1; width < n; width *= 2) {
                for (size_t lo = 0; lo < n; lo += 2 * width) {
                    size_t mid = lo + width < n ? lo + width : n;
                    size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
                    size_t i = lo, j = mid, k = lo;
                    while (i < mid && j < hi)
                        tmp[k++] =
                            s_cmp_pos(a[j].pos, a[i].pos) < 0 ? a[j++] : a[i++];
                    while (i < mid)
                        tmp[k++] = a[i++];
                    while (j < hi)
                        tmp[k++] = a[j++];
                }
                memcpy(a, tmp, n * sizeof *a);
            }
            free(tmp);
            return;
        }
    }
    for (size_t i = 1; i < n; i++) {
        lang_diag_t d = a[i];
        size_t j = i;
        while (j > 0 && s_cmp_pos(d.pos, a[j - 1].pos) < 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = d;
    }
}

void
lang_diags_fini(lang_diags_t *diags)
{
    if (!diags)
        return;
    free(diags->items);
    diags->items = NULL;
    diags->count = 0;
}

void
lang_diags_print(const lang_diags_t *diags, const char *file, FILE *out)
{
    for (size_t i = 0; i < diags->count; i++) {
        const lang_diag_t *d = &diags->items[i];
        if (d->pos.line > 0)
            fprintf(out, "%s:%d:%d: %s\n", file, d->pos.line, d->pos.col,
                    d->msg);
        else
            fprintf(out, "%s: %s\n", file, d->msg);
    }
}
