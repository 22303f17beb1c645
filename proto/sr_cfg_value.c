// One key's value in a settings struct: each type of sr_cfg.h read from a
// text (or from the file a text names), items added to lists and
// sections, defaults and freeing, all walked by the key's type. Owns
// nothing itself: the struct owns the values. Pointer fields are read and
// written with memcpy, since the struct declares them with their own
// types (char **, gw_hook_cfg_t *). Reentrant.
#include "sr_cfg_value.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_FILE_MAX ((size_t)1 << 16) // an SR_CFG_FILE without a max

static bool s_why(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
s_why(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return false;
}

static void *
s_ptr(const void *base, size_t offset)
{
    void *p;
    memcpy(&p, (const char *)base + offset, sizeof p);
    return p;
}

static void
s_set_ptr(void *base, size_t offset, void *p)
{
    memcpy((char *)base + offset, &p, sizeof p);
}

static size_t *
s_count(const sr_cfg_key_t *key, void *base)
{
    return (size_t *)((char *)base + key->count_offset);
}

static void
s_free_text(char *text, bool is_secret)
{
    if (text && is_secret)
        memset(text, 0, strlen(text));
    free(text);
}

bool
sr_cfg_value_same(const char *a, size_t alen, const char *b)
{
    size_t i = 0;
    for (; i < alen && b[i]; i++) {
        char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];
        if (x != y)
            return false;
    }
    return i == alen && !b[i];
}

const char *
sr_cfg_value_flag(const sr_cfg_key_t *key)
{
    return key->flag ? key->flag : key->name;
}

const char *
sr_cfg_value_dashed(const sr_cfg_key_t *key, char *buf, size_t size)
{
    snprintf(buf, size, "--%s", sr_cfg_value_flag(key));
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = '-';
    return buf;
}

const sr_cfg_key_t *
sr_cfg_value_find(const sr_cfg_key_t *keys, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (sr_cfg_value_same(name, len, keys[i].name) ||
            (keys[i].flag && sr_cfg_value_same(name, len, keys[i].flag)))
            return &keys[i];
    return NULL;
}

bool
sr_cfg_value_is_list(const sr_cfg_key_t *key)
{
    return key->type == SR_CFG_LIST || key->type == SR_CFG_COMMAS ||
           key->type == SR_CFG_SECTIONS;
}

bool
sr_cfg_value_is_empty(const sr_cfg_key_t *key, const void *base)
{
    switch (key->type) {
    case SR_CFG_STR:
    case SR_CFG_FILE:
        return s_ptr(base, key->offset) == NULL;
    case SR_CFG_LIST:
    case SR_CFG_COMMAS:
    case SR_CFG_SECTIONS:
        return *s_count(key, (void *)base) == 0;
    default:
        return false; // numbers, booleans and choices always hold one
    }
}

// "'text'" for messages, or nothing for a secret.
static const char *
s_got(const sr_cfg_key_t *key, const char *text, char *buf, size_t size)
{
    if (key->flags & SR_CFG_SECRET)
        return "";
    snprintf(buf, size, ", got '%.64s%s'", text,
             strlen(text) > 64 ? "..." : "");
    return buf;
}

// Length and check of a text (STR, FILE, list items).
static bool
s_text_ok(const sr_cfg_key_t *key, const char *text, char *why, size_t size)
{
    size_t len = strlen(text);
    char got[96];
    if (!len)
        return s_why(why, size, "must not be empty");
    if (key->min > 0 && len < (size_t)key->min)
        return s_why(why, size, "expected at least %" PRId64 " bytes%s",
                     key->min, s_got(key, text, got, sizeof got));
    if (key->max > 0 && len > (size_t)key->max)
        return s_why(why, size, "expected at most %" PRId64 " bytes%s",
                     key->max, s_got(key, text, got, sizeof got));
    if (key->check && !key->check(text, why, size)) {
        size_t n = strlen(why);
        if (n < size)
            snprintf(why + n, size - n, "%s",
                     s_got(key, text, got, sizeof got));
        return false;
    }
    return true;
}

static bool
s_set_str(const sr_cfg_key_t *key, void *base, const char *text, char *why,
          size_t size)
{
    if (!s_text_ok(key, text, why, size))
        return false;
    char *copy = strdup(text);
    if (!copy)
        return s_why(why, size, "out of memory");
    s_free_text(s_ptr(base, key->offset), key->flags & SR_CFG_SECRET);
    s_set_ptr(base, key->offset, copy);
    return true;
}

bool
sr_cfg_value_read_file(const char *path, size_t max, char **out, size_t *len,
                       char *why, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return s_why(why, size, "%s: cannot open: %s", path, strerror(errno));
    char *text = malloc(max + 1);
    if (!text) {
        fclose(f);
        return s_why(why, size, "out of memory");
    }
    size_t n = fread(text, 1, max + 1, f);
    int problem = ferror(f) ? errno : 0;
    fclose(f);
    if (problem || n > max) {
        free(text);
        return problem ? s_why(why, size, "%s: cannot read: %s", path,
                               strerror(problem))
                       : s_why(why, size, "%s: over %zu bytes", path, max);
    }
    text[n] = '\0';
    *out = text;
    *len = n;
    return true;
}

// SR_CFG_FILE: the text is a path; the value is what the file holds.
static bool
s_set_file(const sr_cfg_key_t *key, void *base, const char *path, char *why,
           size_t size)
{
    char *text = NULL;
    size_t len = 0, max = key->max > 0 ? (size_t)key->max : S_FILE_MAX;
    if (!path[0])
        return s_why(why, size, "must not be empty");
    if (!sr_cfg_value_read_file(path, max, &text, &len, why, size))
        return false;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    bool ok = s_text_ok(key, text, why, size);
    if (ok && len != strlen(text))
        ok = s_why(why, size, "%s holds a NUL byte", path);
    if (ok) {
        s_free_text(s_ptr(base, key->offset), key->flags & SR_CFG_SECRET);
        s_set_ptr(base, key->offset, text);
        return true;
    }
    s_free_text(text, key->flags & SR_CFG_SECRET);
    return false;
}

static bool
s_set_int(const sr_cfg_key_t *key, void *base, const char *text, char *why,
          size_t size)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < key->min || v > key->max)
        return s_why(why, size,
                     "expected an integer from %" PRId64 " to %" PRId64
                     ", got '%.64s'",
                     key->min, key->max, text);
    *(int64_t *)((char *)base + key->offset) = v;
    return true;
}

static bool
s_set_bool(const sr_cfg_key_t *key, void *base, const char *text, char *why,
           size_t size)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *(bool *)((char *)base + key->offset) =
                strcasecmp(text, yes[i]) == 0;
            return true;
        }
    }
    return s_why(why, size, "expected true or false, got '%.64s'", text);
}

// "a, b or c": the choices' first names.
static void
s_choices(const sr_cfg_choice_t *c, char *buf, size_t size)
{
    size_t n = 0, at = 0;
    for (const sr_cfg_choice_t *p = c; p->name; p++)
        n += p == c || p[-1].value != p->value;
    buf[0] = '\0';
    size_t i = 0;
    for (const sr_cfg_choice_t *p = c; p->name && at < size; p++) {
        if (p != c && p[-1].value == p->value)
            continue;
        at += (size_t)snprintf(buf + at, size - at, "%s%s",
                               !i           ? ""
                               : i == n - 1 ? " or "
                                            : ", ",
                               p->name);
        i++;
    }
}

static bool
s_set_enum(const sr_cfg_key_t *key, void *base, const char *text, char *why,
           size_t size)
{
    for (const sr_cfg_choice_t *c = key->choices; c->name; c++) {
        if (strcasecmp(text, c->name) == 0) {
            *(int *)((char *)base + key->offset) = c->value;
            return true;
        }
    }
    char names[256];
    s_choices(key->choices, names, sizeof names);
    return s_why(why, size, "expected %s, got '%.64s'", names, text);
}

// Append one text to a list (LIST or COMMAS).
static bool
s_list_add(const sr_cfg_key_t *key, void *base, const char *text, char *why,
           size_t size)
{
    size_t *n = s_count(key, base);
    if (key->max_items && *n >= key->max_items)
        return s_why(why, size, "at most %zu items", key->max_items);
    if (!s_text_ok(key, text, why, size))
        return false;
    char **items = s_ptr(base, key->offset);
    char *copy = strdup(text);
    char **grown = copy ? realloc(items, (*n + 2) * sizeof *items) : NULL;
    if (!grown) {
        free(copy);
        return s_why(why, size, "out of memory");
    }
    grown[(*n)++] = copy;
    grown[*n] = NULL;
    s_set_ptr(base, key->offset, grown);
    return true;
}

// Each piece of "a,b,c" as an item.
static bool
s_commas_add(const sr_cfg_key_t *key, void *base, const char *text, char *why,
             size_t size)
{
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *piece = strndup(p, len);
        if (!piece)
            return s_why(why, size, "out of memory");
        bool ok = s_list_add(key, base, piece, why, size);
        free(piece);
        if (!ok)
            return false;
        if (!end)
            return true;
        p = end + 1;
    }
}

// One item of a section from its inline text: the inline keys in order,
// split at ':', the last one taking the rest.
static bool
s_section_inline(const sr_cfg_key_t *key, void *base, const char *text,
                 char *why, size_t size)
{
    const sr_cfg_section_t *sec = key->section;
    void *item = sr_cfg_value_item_add(key, base, why, size);
    if (!item)
        return false;
    const char *names = sec->inline_keys, *p = text;
    bool ok = true;
    while (ok && *names) {
        const char *name_end = strchr(names, ':');
        size_t nlen = name_end ? (size_t)(name_end - names) : strlen(names);
        const char *end = name_end ? strchr(p, ':') : NULL;
        if (name_end && !end) {
            ok = s_why(why, size, "expected %s", key->arg ? key->arg : "");
            break;
        }
        const sr_cfg_key_t *sub = NULL;
        for (size_t i = 0; i < sec->nkeys && !sub; i++)
            if (sr_cfg_value_same(names, nlen, sec->keys[i].name))
                sub = &sec->keys[i];
        char *piece = end ? strndup(p, (size_t)(end - p)) : strdup(p);
        char inner[200];
        if (!sub) // a bug of the table
            ok = s_why(why, size, "no key '%.*s' in the section", (int)nlen,
                       names);
        else if (!piece)
            ok = s_why(why, size, "out of memory");
        else if (!(ok =
                       sr_cfg_value_set(sub, item, piece, inner, sizeof inner)))
            s_why(why, size, "%s: %s", sub->name, inner);
        s_free_text(piece, true);
        names += nlen + (name_end != NULL);
        p = end ? end + 1 : p + strlen(p);
    }
    if (ok)
        ok = sr_cfg_value_item_check(key, item, why, size);
    if (!ok)
        sr_cfg_value_item_drop(key, base);
    return ok;
}

bool
sr_cfg_value_set(const sr_cfg_key_t *key, void *base, const char *text,
                 char *why, size_t size)
{
    switch (key->type) {
    case SR_CFG_STR:
        return s_set_str(key, base, text, why, size);
    case SR_CFG_INT:
        return s_set_int(key, base, text, why, size);
    case SR_CFG_BOOL:
        return s_set_bool(key, base, text, why, size);
    case SR_CFG_ENUM:
        return s_set_enum(key, base, text, why, size);
    case SR_CFG_FILE:
        return s_set_file(key, base, text, why, size);
    case SR_CFG_LIST:
        return s_list_add(key, base, text, why, size);
    case SR_CFG_COMMAS:
        sr_cfg_value_clear(key, base);
        return s_commas_add(key, base, text, why, size);
    case SR_CFG_SECTIONS:
        return s_section_inline(key, base, text, why, size);
    }
    return s_why(why, size, "unknown type");
}

bool
sr_cfg_value_add(const sr_cfg_key_t *key, void *base, const char *text,
                 char *why, size_t size)
{
    if (key->type == SR_CFG_COMMAS)
        return s_commas_add(key, base, text, why, size);
    return sr_cfg_value_set(key, base, text, why, size);
}

void *
sr_cfg_value_item_add(const sr_cfg_key_t *key, void *base, char *why,
                      size_t size)
{
    const sr_cfg_section_t *sec = key->section;
    size_t *n = s_count(key, base);
    if (key->max_items && *n >= key->max_items) {
        s_why(why, size, "at most %zu items", key->max_items);
        return NULL;
    }
    char *items = realloc(s_ptr(base, key->offset), (*n + 1) * sec->item_size);
    if (!items) {
        s_why(why, size, "out of memory");
        return NULL;
    }
    s_set_ptr(base, key->offset, items);
    void *item = items + *n * sec->item_size;
    (*n)++;
    if (!sr_cfg_value_defaults(sec->keys, sec->nkeys, item, sec->item_size, why,
                               size)) {
        sr_cfg_value_item_drop(key, base);
        return NULL;
    }
    return item;
}

void
sr_cfg_value_item_drop(const sr_cfg_key_t *key, void *base)
{
    size_t *n = s_count(key, base);
    if (!*n)
        return;
    char *items = s_ptr(base, key->offset);
    (*n)--;
    sr_cfg_value_free(key->section->keys, key->section->nkeys,
                      items + *n * key->section->item_size);
}

bool
sr_cfg_value_item_check(const sr_cfg_key_t *key, void *item, char *why,
                        size_t size)
{
    const sr_cfg_section_t *sec = key->section;
    for (size_t i = 0; i < sec->nkeys; i++)
        if ((sec->keys[i].flags & SR_CFG_REQUIRED) &&
            sr_cfg_value_is_empty(&sec->keys[i], item))
            return s_why(why, size, "no %s", sec->keys[i].name);
    return !sec->check || sec->check(item, why, size);
}

void
sr_cfg_value_clear(const sr_cfg_key_t *key, void *base)
{
    bool is_secret = key->flags & SR_CFG_SECRET;
    switch (key->type) {
    case SR_CFG_STR:
    case SR_CFG_FILE:
        s_free_text(s_ptr(base, key->offset), is_secret);
        s_set_ptr(base, key->offset, NULL);
        return;
    case SR_CFG_LIST:
    case SR_CFG_COMMAS: {
        char **items = s_ptr(base, key->offset);
        for (size_t i = 0; i < *s_count(key, base); i++)
            s_free_text(items[i], is_secret);
        free(items);
        break;
    }
    case SR_CFG_SECTIONS: {
        char *items = s_ptr(base, key->offset);
        for (size_t i = 0; i < *s_count(key, base); i++)
            sr_cfg_value_free(key->section->keys, key->section->nkeys,
                              items + i * key->section->item_size);
        free(items);
        break;
    }
    default:
        return; // numbers, booleans and choices hold nothing to free
    }
    s_set_ptr(base, key->offset, NULL);
    *s_count(key, base) = 0;
}

bool
sr_cfg_value_defaults(const sr_cfg_key_t *keys, size_t n, void *base,
                      size_t base_size, char *why, size_t size)
{
    memset(base, 0, base_size);
    for (size_t i = 0; i < n; i++) {
        char inner[200];
        if (keys[i].dflt && !sr_cfg_value_set(&keys[i], base, keys[i].dflt,
                                              inner, sizeof inner))
            return s_why(why, size, "the default of '%s': %s", keys[i].name,
                         inner);
    }
    return true;
}

void
sr_cfg_value_free(const sr_cfg_key_t *keys, size_t n, void *base)
{
    for (size_t i = 0; i < n; i++)
        sr_cfg_value_clear(&keys[i], base);
}
