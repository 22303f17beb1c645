// Source text bookkeeping: strict UTF-8 validation (no overlong forms, no
// surrogates, nothing above U+10FFFF) and the line-start table used to turn
// libyaml's marks and byte offsets into positions. Owns only the table.
#include "lang_src.h"

#include <stdbool.h>
#include <stdlib.h>

static sr_err_t
s_push(lang_src_t *t, size_t *cap, size_t offset)
{
    if (t->nlines == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        size_t *lines = realloc(t->lines, ncap * sizeof *lines);
        if (!lines)
            return SR_ENOMEM;
        t->lines = lines;
        *cap = ncap;
    }
    t->lines[t->nlines++] = offset;
    return SR_OK;
}

// Length of the UTF-8 sequence at s (n bytes left) and its code point, or 0
// when it is not valid.
static size_t
s_utf8(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static int
s_chars(const char *text, size_t from, size_t to)
{
    int n = 0;
    for (size_t i = from; i < to; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            n++;
    return n;
}

sr_err_t
lang_src_init(lang_src_t *t, const char *text, size_t len, lang_pos_t *bad_pos,
              unsigned *bad_byte)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, cap = 0;
    t->text = text;
    t->len = len;
    t->lines = NULL;
    t->nlines = 0;
    t->last_line = t->last_col = t->last_offset = 0;
    sr_err_t rc = s_push(t, &cap, i);
    while (rc == SR_OK && i < len) {
        unsigned cp;
        size_t k = s_utf8(s + i, len - i, &cp);
        if (k == 0) {
            *bad_pos = lang_src_pos(t, i);
            *bad_byte = s[i];
            rc = SR_EINVAL;
            break;
        }
        if (cp == '\r' && i + 1 < len && s[i + 1] == '\n')
            k = 2;
        i += k;
        if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 ||
            cp == 0x2029)
            rc = s_push(t, &cap, i);
    }
    if (rc != SR_OK)
        lang_src_fini(t);
    return rc;
}

void
lang_src_fini(lang_src_t *t)
{
    free(t->lines);
    t->lines = NULL;
    t->nlines = 0;
}

size_t
lang_src_offset(lang_src_t *t, size_t line, size_t col)
{
    if (line >= t->nlines)
        return t->len;
    size_t i = t->lines[line], want = col;
    if (line == t->last_line && col >= t->last_col && t->last_offset >= i) {
        i = t->last_offset;
        col -= t->last_col;
    }
    while (col > 0 && i < t->len) {
        i++;
        while (i < t->len && ((unsigned char)t->text[i] & 0xC0) == 0x80)
            i++;
        col--;
    }
    t->last_line = line;
    t->last_col = want;
    t->last_offset = i;
    return i;
}

lang_pos_t
lang_src_pos(const lang_src_t *t, size_t offset)
{
    lang_pos_t pos = {1, 1};
    if (t->nlines == 0)
        return pos;
    if (offset > t->len)
        offset = t->len;
    size_t lo = 0, hi = t->nlines; // last line whose start <= offset
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    size_t start = t->lines[lo] <= offset ? t->lines[lo] : offset;
    pos.line = (int)lo + 1;
    pos.col = s_chars(t->text, start, offset) + 1;
    return pos;
}
