// Maps a byte of a scalar's value back to its source byte by walking the
// source the way YAML decodes it and counting the value bytes each piece
// produces: line folding in flow scalars, '' in single quotes, escapes in
// double quotes, indentation and folding in block scalars. Only counts are
// needed, never the decoded text. Owns nothing.
#include "lang_srcmap.h"

#include <stdbool.h>

static bool
s_is_break(char c)
{
    return c == '\n' || c == '\r';
}

static bool
s_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

// UTF-8 length of a code point.
static size_t
s_utf8_len(unsigned long cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static unsigned long
s_hex(const char *s, size_t n, size_t len_left)
{
    unsigned long v = 0;
    for (size_t i = 0; i < n && i < len_left; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : 0;
        v = v * 16 + (unsigned long)d;
    }
    return v;
}

// A double-quoted escape at src[i] == '\\': source bytes it spans and value
// bytes it produces (0 for an escaped line break).
static void
s_escape(const char *src, size_t len, size_t i, size_t *span, size_t *out)
{
    char e = i + 1 < len ? src[i + 1] : '\0';
    size_t left = len - i - 2 < len ? len - i - 2 : 0;
    switch (e) {
    case 'x':
        *span = 4, *out = s_utf8_len(s_hex(src + i + 2, 2, left));
        break;
    case 'u':
        *span = 6, *out = s_utf8_len(s_hex(src + i + 2, 4, left));
        break;
    case 'U':
        *span = 10, *out = s_utf8_len(s_hex(src + i + 2, 8, left));
        break;
    case 'N':
    case '_':
        *span = 2, *out = 2;
        break;
    case 'L':
    case 'P':
        *span = 2, *out = 3;
        break;
    case '\r':
    case '\n':
        *span = 1, *out = 0; // the break itself is folded below
        break;
    default:
        *span = 2, *out = 1;
        break;
    }
}

// Skip a run of line breaks and the indentation after them; returns the
// number of breaks.
static size_t
s_skip_breaks(const char *src, size_t len, size_t *i)
{
    size_t breaks = 0;
    while (*i < len && (s_is_break(src[*i]) || s_is_blank(src[*i]))) {
        if (src[*i] == '\r' && *i + 1 < len && src[*i + 1] == '\n')
            (*i)++;
        if (s_is_break(src[*i]))
            breaks++;
        (*i)++;
    }
    return breaks;
}

// Plain, single- and double-quoted scalars.
static size_t
s_flow(const char *src, size_t len, size_t start, lang_style_t style,
       size_t voff)
{
    size_t i = style == LANG_STYLE_PLAIN ? start : start + 1, v = 0;
    bool escaped_break = false;
    while (i < len) {
        char c = src[i];
        size_t span = 1, out = 1;
        if (s_is_break(c)) {
            size_t breaks = s_skip_breaks(src, len, &i);
            out = escaped_break ? breaks - 1 : breaks == 1 ? 1 : breaks - 1;
            escaped_break = false;
            if (voff < v + out)
                return i;
            v += out;
            continue;
        }
        if (s_is_blank(c)) { // whitespace before a break is dropped
            size_t j = i;
            while (j < len && s_is_blank(src[j]))
                j++;
            if (j < len && s_is_break(src[j])) {
                i = j;
                continue;
            }
        }
        if (style == LANG_STYLE_SINGLE && c == '\'')
            span = 2; // '' is one quote (a lone one ends the scalar)
        else if (style == LANG_STYLE_DOUBLE && c == '\\') {
            s_escape(src, len, i, &span, &out);
            escaped_break = out == 0;
        }
        if (out > 0 && voff < v + out)
            return i;
        v += out;
        i += span;
    }
    return start;
}

// Literal and folded block scalars.
static size_t
s_block(const char *src, size_t len, size_t start, bool folded, size_t voff)
{
    size_t i = start, explicit_indent = 0;
    while (i < len && !s_is_break(src[i]) && src[i] != '#') { // the header
        if (src[i] >= '1' && src[i] <= '9')
            explicit_indent = (size_t)(src[i] - '0');
        i++;
    }
    while (i < len && !s_is_break(src[i]))
        i++;
    if (explicit_indent) { // relative to the header line's indentation
        size_t line = start;
        while (line > 0 && !s_is_break(src[line - 1]))
            line--;
        size_t k = line;
        while (k < start && src[k] == ' ')
            k++;
        explicit_indent += k - line;
    }
    size_t indent = 0, p = i; // indentation of the first non-empty line
    while (p < len) {
        if (src[p] == '\r' && p + 1 < len && src[p + 1] == '\n')
            p++;
        p++;
        size_t j = p;
        while (j < len && src[j] == ' ')
            j++;
        if (j < len && !s_is_break(src[j])) {
            indent = j - p;
            break;
        }
        p = j;
    }
    if (explicit_indent)
        indent = explicit_indent;
    enum { NONE, NORMAL, MORE } prev = NONE;
    size_t v = 0, empty = 0;
    while (i < len) {
        if (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n')
            i++;
        i++; // the break that ends the previous line
        size_t j = i;
        while (j < len && j - i < indent && src[j] == ' ')
            j++;
        size_t end = j;
        while (end < len && !s_is_break(src[end]))
            end++;
        bool blank = true;
        for (size_t k = j; k < end; k++)
            blank = blank && s_is_blank(src[k]);
        if (blank) {
            empty++;
            i = end;
            continue;
        }
        int kind = s_is_blank(src[j]) || !folded ? MORE : NORMAL;
        size_t sep = prev == NONE                       ? empty
                     : prev == NORMAL && kind == NORMAL ? (empty ? empty : 1)
                                                        : 1 + empty;
        if (voff < v + sep)
            return j;
        v += sep;
        empty = 0;
        if (voff < v + (end - j))
            return j + (voff - v);
        v += end - j;
        prev = kind;
        i = end;
    }
    return start;
}

size_t
lang_srcmap_offset(const char *src, size_t len, size_t start,
                   lang_style_t style, size_t voff)
{
    if (start >= len)
        return start > len ? len : start;
    switch (style) {
    case LANG_STYLE_LITERAL:
        return s_block(src, len, start, false, voff);
    case LANG_STYLE_FOLDED:
        return s_block(src, len, start, true, voff);
    case LANG_STYLE_PLAIN:
    case LANG_STYLE_SINGLE:
    case LANG_STYLE_DOUBLE:
        return s_flow(src, len, start, style, voff);
    default:
        return start;
    }
}
