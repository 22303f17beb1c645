// sr_cfgdoc: the key tables of docs/operations.md and docs/gateway.md,
// printed from the daemons' tables of keys (sr_cfg_markdown). In a doc, a
// table sits between a line starting "<!-- sr_cfgdoc PROGRAM" and the line
// "<!-- sr_cfgdoc end -->".
//
//   sr_cfgdoc --check FILE...   exit 1, naming each table that differs or
//                               a program whose table is in no FILE
//   sr_cfgdoc --write FILE...   rewrite the tables in place
//
// ctest repo.cfgdoc runs --check on the committed docs.
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_config.h"
#include "gw_config.h"
#include "sr_cfg.h"
#include "wrk_opts.h"

#define S_END "<!-- sr_cfgdoc end -->\n"

static char *
s_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    char buf[4096];
    size_t n;
    while (out && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, out);
    fclose(f);
    if (out)
        fclose(out);
    return text;
}

// The doc with every table printed anew; *found marks the tables seen.
static char *
s_render(const char *doc, const sr_cfg_table_t *const *tables, size_t n,
         bool *found, const char *path, bool *ok)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    const char *p = doc;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t line = eol ? (size_t)(eol - p + 1) : strlen(p);
        fwrite(p, 1, line, out);
        const sr_cfg_table_t *t = NULL;
        for (size_t i = 0; i < n && !t; i++) {
            char mark[128];
            snprintf(mark, sizeof mark, "<!-- sr_cfgdoc %s",
                     tables[i]->program);
            if (strncmp(p, mark, strlen(mark)) == 0 &&
                strchr(" :-", p[strlen(mark)])) {
                t = tables[i];
                found[i] = true;
            }
        }
        p += line;
        if (!t)
            continue;
        const char *end = strstr(p, S_END);
        if (!end) {
            fprintf(stderr, "%s: the table of %s has no '%.*s'\n", path,
                    t->program, (int)strlen(S_END) - 1, S_END);
            *ok = false;
            break;
        }
        sr_cfg_markdown(t, out);
        fputs(S_END, out);
        p = end + strlen(S_END);
    }
    fclose(out);
    return text;
}

int
main(int argc, char **argv)
{
    bool is_write = argc > 1 && strcmp(argv[1], "--write") == 0;
    if (argc < 3 || (!is_write && strcmp(argv[1], "--check") != 0)) {
        fprintf(stderr, "usage: sr_cfgdoc --check|--write FILE...\n");
        return 2;
    }
    const sr_cfg_table_t *tables[] = {eng_settings_table(), wrk_opts_table(),
                                      gw_config_table()};
    size_t n = sizeof tables / sizeof *tables;
    bool found[3] = {false}, ok = true;
    for (int i = 2; i < argc; i++) {
        char *doc = s_read(argv[i]);
        if (!doc) {
            fprintf(stderr, "sr_cfgdoc: cannot read %s\n", argv[i]);
            return 2;
        }
        char *fresh = s_render(doc, tables, n, found, argv[i], &ok);
        if (is_write && ok && strcmp(doc, fresh) != 0) {
            FILE *f = fopen(argv[i], "wb");
            bool is_written = f && fputs(fresh, f) >= 0;
            if ((f && fclose(f) != 0) || !is_written) {
                fprintf(stderr, "sr_cfgdoc: cannot write %s\n", argv[i]);
                ok = false;
            }
        } else if (!is_write && strcmp(doc, fresh) != 0) {
            fprintf(stderr,
                    "%s: a table of keys differs from its daemon's table; "
                    "run build/bin/sr_cfgdoc --write %s\n",
                    argv[i], argv[i]);
            ok = false;
        }
        free(doc);
        free(fresh);
    }
    for (size_t i = 0; i < n; i++)
        if (!found[i]) {
            fprintf(stderr, "sr_cfgdoc: no table of %s in the files given\n",
                    tables[i]->program);
            ok = false;
        }
    return ok ? 0 : 1;
}
