/* Reads the arguments of a subcommand against its option table (STYLE
 * 6: a table walked by one function, not a chain of strcmp). Knows
 * nothing of what the options mean; the commands read the values.
 * Thread rule: the caller's thread.
 */
#include "cli_args.h"

#include <stdio.h>
#include <string.h>

// The option of `opts` that `word` ("--x" or "--x=v") names; -1 if none.
static int
s_find(const cli_opt_t *opts, size_t n, const char *word, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len &&
            strncmp(opts[i].name, word, len) == 0)
            return (int)i;
    return -1;
}

// Read the option at argv[*i]; false after printing a usage error.
static bool
s_option(const char *cmd, cli_args_t *out, int argc, char **argv, int *i)
{
    const char *word = argv[*i];
    const char *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);
    int k = s_find(out->opts, out->nopts, word, len);
    if (k < 0) {
        fprintf(stderr, "sirocco %s: unknown option '%.*s'\n", cmd, (int)len,
                word);
        return false;
    }
    const cli_opt_t *o = &out->opts[k];
    if (!o->arg && eq) {
        fprintf(stderr, "sirocco %s: %s takes no value\n", cmd, o->name);
        return false;
    }
    if (o->arg && !eq && *i + 1 >= argc) {
        fprintf(stderr, "sirocco %s: %s needs a value (%s)\n", cmd, o->name,
                o->arg);
        return false;
    }
    if (out->values[k]) {
        fprintf(stderr, "sirocco %s: %s is given twice\n", cmd, o->name);
        return false;
    }
    out->values[k] = !o->arg ? "" : eq ? eq + 1 : argv[++*i];
    return true;
}

static bool
s_is_help(int argc, char **argv, int first)
{
    for (int i = first; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

bool
cli_args_parse(const char *cmd, const cli_opt_t *opts, size_t nopts,
               size_t min_pos, size_t max_pos, int argc, char **argv, int first,
               cli_args_t *out)
{
    memset(out, 0, sizeof *out);
    out->opts = opts;
    out->nopts = nopts < CLI_ARGS_MAX ? nopts : CLI_ARGS_MAX;
    if ((out->is_help = s_is_help(argc, argv, first)))
        return true;
    bool is_rest = false;
    for (int i = first; i < argc; i++) {
        const char *w = argv[i];
        if (!is_rest && strcmp(w, "--") == 0) {
            is_rest = true;
        } else if (!is_rest && w[0] == '-' && w[1] != '\0') {
            if (!s_option(cmd, out, argc, argv, &i))
                return false;
        } else if (out->npos == CLI_POS_MAX) {
            fprintf(stderr, "sirocco %s: more than %d arguments\n", cmd,
                    CLI_POS_MAX);
            return false;
        } else if (out->npos == max_pos) {
            fprintf(stderr, "sirocco %s: unexpected argument '%s'\n", cmd, w);
            return false;
        } else {
            out->pos[out->npos++] = w;
        }
    }
    if (out->npos < min_pos) {
        fprintf(stderr, "sirocco %s: missing argument (see --help)\n", cmd);
        return false;
    }
    return true;
}

const char *
cli_args_get(const cli_args_t *a, const char *name)
{
    int k = s_find(a->opts, a->nopts, name, strlen(name));
    return k < 0 ? NULL : a->values[k];
}

bool
cli_args_has(const cli_args_t *a, const char *name)
{
    return cli_args_get(a, name) != NULL;
}

void
cli_args_print_options(const cli_opt_t *opts, size_t nopts)
{
    for (size_t i = 0; i < nopts; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", opts[i].name,
                 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        printf("      %-26s %s\n", head, opts[i].help);
    }
}
