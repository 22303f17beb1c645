// A table of keys printed for people: --help (wrapped to 80 columns,
// backticks dropped) and the Markdown table of docs/ (tests/cfgdoc checks
// the committed ones). Both say the same things of a key: its flag and
// argument, its doc, its file key when it is not the flag, its range, and
// its default. Owns nothing; reentrant.
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sr_cfg.h"
#include "sr_cfg_value.h"

#define S_WIDTH  80
#define S_INDENT 29 // column of the docs in --help

// The argument of a key's flag: its arg, or its choices "a|b" (sep "|").
static void
s_arg(const sr_cfg_key_t *key, const char *sep, char *buf, size_t size)
{
    buf[0] = '\0';
    if (key->type == SR_CFG_BOOL)
        return;
    if (key->arg || key->type != SR_CFG_ENUM) {
        size_t at = (size_t)snprintf(buf, size, " ");
        for (const char *p = key->arg ? key->arg : "VALUE"; *p && at < size;
             p++)
            at += (size_t)snprintf(buf + at, size - at, "%s",
                                   *p == '|' ? sep : (char[]){*p, '\0'});
        return;
    }
    size_t at = 0;
    for (const sr_cfg_choice_t *c = key->choices; c->name && at < size; c++)
        if (c == key->choices || c[-1].value != c->value)
            at += (size_t)snprintf(buf + at, size - at, "%s%s",
                                   c == key->choices ? " " : sep, c->name);
}

// "1 to 1024; repeatable": what the value may be, beyond its doc.
static void
s_range(const sr_cfg_key_t *key, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    if (key->type == SR_CFG_INT)
        at += (size_t)snprintf(buf, size, "%" PRId64 " to %" PRId64, key->min,
                               key->max);
    else if ((key->type == SR_CFG_STR || key->type == SR_CFG_LIST) &&
             key->min > 0)
        at +=
            (size_t)snprintf(buf, size, "at least %" PRId64 " bytes", key->min);
    if (at < size && (key->type == SR_CFG_LIST || key->type == SR_CFG_SECTIONS))
        at += (size_t)snprintf(
            buf + at, size - at, "%srepeatable%s", at ? "; " : "",
            key->flags & SR_CFG_ADD ? ", adding to the file's" : "");
    if (at < size && key->type == SR_CFG_COMMAS)
        snprintf(buf + at, size - at, "%scomma-separated or a YAML list",
                 at ? "; " : "");
}

// Print `text` from column `col` wrapped at S_WIDTH, continuation lines
// at `indent`, backticks dropped; ends the line.
static void
s_wrap(FILE *out, const char *text, size_t col, size_t indent)
{
    bool is_first = true;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        size_t shown = len;
        for (size_t i = 0; i < len; i++)
            shown -= p[i] == '`';
        if (!is_first && col + 1 + shown > S_WIDTH) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!is_first) {
            fputc(' ', out);
            col++;
        }
        is_first = false;
        for (size_t i = 0; i < len; i++)
            if (p[i] != '`')
                fputc(p[i], out);
        col += shown;
        p += len;
    }
    fputc('\n', out);
}

void
sr_cfg_usage(const sr_cfg_table_t *table, FILE *out)
{
    fprintf(out, "usage: %s [--config FILE] [--FLAG VALUE]...\n\n",
            table->program);
    s_wrap(out, table->about, 0, 0);
    fputc('\n', out);
    s_wrap(out,
           "Every flag is also a key of the YAML file read with --config (its "
           "name in the file is shown when it differs); a flag wins over the "
           "file, and '-' and '_' are the same in names.",
           0, 0);
    fputc('\n', out);
    for (size_t i = 0; i < table->nkeys; i++) {
        const sr_cfg_key_t *key = &table->keys[i];
        char arg[200], range[160], note[600], flag[240];
        s_arg(key, "|", arg, sizeof arg);
        s_range(key, range, sizeof range);
        char dashed[80];
        int n = snprintf(flag, sizeof flag, "  %s%s",
                         sr_cfg_value_dashed(key, dashed, sizeof dashed), arg);
        fputs(flag, out);
        if (n > S_INDENT - 2)
            fprintf(out, "\n%*s", S_INDENT, "");
        else
            fprintf(out, "%*s", S_INDENT - n, "");
        s_wrap(out, key->doc, S_INDENT, S_INDENT);
        const char *dflt = key->shown ? key->shown : key->dflt;
        bool is_other =
            key->flag &&
            !sr_cfg_value_same(key->flag, strlen(key->flag), key->name);
        snprintf(note, sizeof note, "(%s%s%s%s%s%s%s)",
                 is_other ? "file: " : "", is_other ? key->name : "",
                 is_other ? "; " : "", range, range[0] ? "; " : "",
                 key->flags & SR_CFG_REQUIRED ? "required" : "default: ",
                 key->flags & SR_CFG_REQUIRED ? ""
                 : dflt                       ? dflt
                                              : "none");
        fprintf(out, "%*s", S_INDENT, "");
        s_wrap(out, note, S_INDENT, S_INDENT);
    }
    fprintf(out, "  %-*s", S_INDENT - 2, "--config FILE");
    s_wrap(out, "read keys from a YAML file (repeatable: a later file wins)",
           S_INDENT, S_INDENT);
    fprintf(out, "  %-*sprint this text\n", S_INDENT - 2, "--help");
    fprintf(out, "  %-*sprint the version\n", S_INDENT - 2, "--version");
}

// A default in the docs: numbers as they are, words as code.
static void
s_md_default(const sr_cfg_key_t *key, FILE *out)
{
    if (key->shown)
        fputs(key->shown, out);
    else if (key->flags & SR_CFG_REQUIRED)
        fputs("(required)", out);
    else if (!key->dflt)
        fputs("none", out);
    else if (key->dflt[strspn(key->dflt, "0123456789")] == '\0')
        fputs(key->dflt, out);
    else
        fprintf(out, "`%s`", key->dflt);
}

void
sr_cfg_markdown(const sr_cfg_table_t *table, FILE *out)
{
    fprintf(out, "| key | flag | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < table->nkeys; i++) {
        const sr_cfg_key_t *key = &table->keys[i];
        char arg[200], range[160];
        s_arg(key, "\\|", arg, sizeof arg);
        s_range(key, range, sizeof range);
        char dashed[80];
        fprintf(out, "| `%s` | `%s%s` | ", key->name,
                sr_cfg_value_dashed(key, dashed, sizeof dashed), arg);
        s_md_default(key, out);
        fprintf(out, " | %s%s%s |\n", key->doc, range[0] ? "; " : "", range);
    }
}
