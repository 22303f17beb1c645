// Tests of the config reader on a table with every type: defaults, flags
// and files, flags winning (lists replaced or added to), ranges and types
// named in messages with the flag or FILE:LINE:COL and key, unknown keys
// and flags, sections and their inline form, secrets never echoed,
// required keys and the table's finish, --help and the Markdown rows.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_cfg.h"
#include "sr_cfg_test_util.h"
#include "sr_log.h"

typedef struct {
    char *id;
    char *secret;
    char *secret_file;
    int64_t weight;
} s_item_t;

typedef struct {
    char *name;
    bool is_on;
    int64_t n;
    int level;
    char **items;
    size_t nitems;
    char **parts;
    size_t nparts;
    char **adds;
    size_t nadds;
    s_item_t *things;
    size_t nthings;
    char *token;
    char *must;
} s_values_t;

static bool
s_no_x(const char *text, char *why, size_t size)
{
    if (!strchr(text, 'x'))
        return true;
    snprintf(why, size, "expected no 'x'");
    return false;
}

static bool
s_thing_check(void *item, char *why, size_t size)
{
    s_item_t *t = item;
    if (t->secret_file) { // the file's text wins over `secret`
        free(t->secret);
        t->secret = t->secret_file;
        t->secret_file = NULL;
    }
    if (t->secret)
        return true;
    snprintf(why, size, "needs a secret");
    return false;
}

#define S_ITEM(f) offsetof(s_item_t, f)
static const sr_cfg_key_t s_item_keys[] = {
    {.name = "id",
     .type = SR_CFG_STR,
     .flags = SR_CFG_REQUIRED,
     .offset = S_ITEM(id),
     .check = s_no_x,
     .doc = "its id"},
    {.name = "secret",
     .type = SR_CFG_STR,
     .flags = SR_CFG_SECRET,
     .offset = S_ITEM(secret),
     .min = 8,
     .doc = "its secret"},
    {.name = "secret_file",
     .type = SR_CFG_FILE,
     .flags = SR_CFG_SECRET,
     .offset = S_ITEM(secret_file),
     .min = 8,
     .max = 4096,
     .doc = "its secret, from a file"},
    {.name = "weight",
     .type = SR_CFG_INT,
     .offset = S_ITEM(weight),
     .min = 0,
     .max = 9,
     .dflt = "1",
     .doc = "its weight"},
};
static const sr_cfg_section_t s_thing = {
    s_item_keys, sizeof s_item_keys / sizeof *s_item_keys, sizeof(s_item_t),
    "id:secret", s_thing_check};

#define S_OFF(f) offsetof(s_values_t, f)
static const sr_cfg_key_t s_keys[] = {
    {.name = "name",
     .type = SR_CFG_STR,
     .offset = S_OFF(name),
     .arg = "NAME",
     .check = s_no_x,
     .shown = "HOST",
     .doc = "a name"},
    {.name = "is_on",
     .flag = "on",
     .type = SR_CFG_BOOL,
     .offset = S_OFF(is_on),
     .doc = "a switch"},
    {.name = "n",
     .type = SR_CFG_INT,
     .offset = S_OFF(n),
     .min = 1,
     .max = 10,
     .arg = "N",
     .dflt = "4",
     .doc = "a number"},
    {.name = "log-level",
     .type = SR_CFG_ENUM,
     .offset = S_OFF(level),
     .choices = sr_cfg_log_levels,
     .dflt = "info",
     .doc = "a level"},
    {.name = "items",
     .flag = "item",
     .type = SR_CFG_LIST,
     .offset = S_OFF(items),
     .count_offset = S_OFF(nitems),
     .max_items = 3,
     .arg = "ITEM",
     .doc = "items"},
    {.name = "parts",
     .type = SR_CFG_COMMAS,
     .offset = S_OFF(parts),
     .count_offset = S_OFF(nparts),
     .arg = "A,B",
     .doc = "parts"},
    {.name = "adds",
     .flag = "add",
     .type = SR_CFG_LIST,
     .flags = SR_CFG_ADD,
     .offset = S_OFF(adds),
     .count_offset = S_OFF(nadds),
     .arg = "X",
     .doc = "items that flags add"},
    {.name = "things",
     .flag = "thing",
     .type = SR_CFG_SECTIONS,
     .offset = S_OFF(things),
     .count_offset = S_OFF(nthings),
     .section = &s_thing,
     .arg = "ID:SECRET",
     .doc = "things, each with a long doc that the help wraps at eighty "
            "columns, to see `that` it does"},
    {.name = "token",
     .type = SR_CFG_STR,
     .flags = SR_CFG_SECRET,
     .offset = S_OFF(token),
     .min = 16,
     .arg = "TOKEN",
     .doc = "a secret"},
    {.name = "must-have",
     .type = SR_CFG_STR,
     .offset = S_OFF(must),
     .arg = "X",
     .doc = "needed when finishing"},
};

static int s_finished;

static void
s_finish(sr_cfg_t *cfg, void *values)
{
    s_values_t *v = values;
    s_finished++;
    if (v->n == 9)
        sr_cfg_problem(cfg, "n: 9 is unlucky");
}

static const sr_cfg_table_t s_table = {"sr-test",
                                       "Tests the reader.",
                                       s_keys,
                                       sizeof s_keys / sizeof *s_keys,
                                       sizeof(s_values_t),
                                       s_finish};

static char s_dir[64];

static char *
s_file(const char *name, const char *text)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", s_dir, name) > 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

// Read a NULL-terminated argument list (program name added).
static sr_err_t
s_args(sr_cfg_t **cfg, s_values_t *v, const char *const *args)
{
    *cfg = NULL;
    return sr_cfg_test_args(&s_table, v, cfg, args);
}

static void
s_done(sr_cfg_t **cfg, s_values_t *v)
{
    sr_cfg_destroy(cfg);
    sr_cfg_free(&s_table, v);
}

static void
s_has(const sr_cfg_t *cfg, const char *line)
{
    sr_cfg_test_has(cfg, line);
}

static void
defaults_come_first(void **state)
{
    (void)state;
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    const char *none[] = {NULL};
    assert_int_equal(s_args(&cfg, &v, none), SR_OK);
    assert_int_equal(v.n, 4);
    assert_int_equal(v.level, SR_LOG_INFO);
    assert_null(v.name);
    assert_false(v.is_on);
    assert_int_equal(v.nitems, 0);
    assert_false(sr_cfg_is_given(cfg, "n"));
    assert_int_equal(s_finished > 0, 1);
    s_done(&cfg, &v);
}

static void
flags_set_every_type(void **state)
{
    (void)state;
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    const char *args[] = {"--name",
                          "me",
                          "--on",
                          "--n",
                          "5",
                          "--log_level",
                          "DEBUG",
                          "--item",
                          "a",
                          "--item=b",
                          "--parts",
                          "p,q",
                          "--parts",
                          "r,s,t",
                          "--thing",
                          "t1:secret:1",
                          "--thing",
                          "t2:secret-two",
                          "--n=7",
                          "--must-h",
                          "yes",
                          "--token",
                          "0123456789abcdef",
                          NULL};
    if (s_args(&cfg, &v, args) != SR_OK)
        fail_msg("%s", sr_cfg_problem_at(cfg, 0));
    assert_string_equal(v.name, "me");
    assert_true(v.is_on);
    assert_int_equal(v.n, 7); // the last flag wins
    assert_int_equal(v.level, SR_LOG_DEBUG);
    assert_int_equal(v.nitems, 2);
    assert_string_equal(v.items[1], "b");
    assert_null(v.items[2]);
    assert_int_equal(v.nparts, 3); // given whole: the last flag
    assert_string_equal(v.parts[0], "r");
    assert_int_equal(v.nthings, 2);
    assert_string_equal(v.things[0].secret, "secret:1"); // the rest
    assert_int_equal(v.things[1].weight, 1);             // its default
    assert_string_equal(v.must, "yes");                  // a unique prefix
    assert_true(sr_cfg_is_given(cfg, "log_level"));
    s_done(&cfg, &v);
}

static void
a_file_sets_every_type_and_flags_win(void **state)
{
    (void)state;
    char *secret = s_file("secret", "from-a-file\n");
    char text[1024];
    snprintf(text, sizeof text,
             "name: file\n"
             "is-on: yes\n"
             "n: 3\n"
             "log_level: warning\n"
             "items: [a, b]\n"
             "parts: x1,y1\n"
             "adds: [f1]\n"
             "things:\n"
             "  - {id: one, secret: inline-secret, weight: 2}\n"
             "  - {id: two, secret: inline-secret, secret_file: %s}\n"
             "  - three:the-third-secret\n"
             "token: ~\n",
             secret);
    char *path = s_file("all.yaml", text);
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    const char *args[] = {"--item", "c",   "--config", path, "--add",
                          "f2",     "--n", "8",        NULL};
    if (s_args(&cfg, &v, args) != SR_OK)
        fail_msg("%s", sr_cfg_problem_at(cfg, 0));
    assert_string_equal(v.name, "file");
    assert_true(v.is_on);
    assert_int_equal(v.n, 8);
    assert_int_equal(v.level, SR_LOG_WARN);
    assert_int_equal(v.nitems, 1); // the flags' list replaces the file's
    assert_string_equal(v.items[0], "c");
    assert_int_equal(v.nparts, 2);
    assert_string_equal(v.parts[1], "y1");
    assert_int_equal(v.nadds, 2); // SR_CFG_ADD: the flags add
    assert_string_equal(v.adds[1], "f2");
    assert_int_equal(v.nthings, 3);
    assert_int_equal(v.things[0].weight, 2);
    assert_string_equal(v.things[1].secret, "from-a-file");
    assert_string_equal(v.things[2].id, "three");
    assert_null(v.token); // null keeps the default
    assert_false(sr_cfg_is_given(cfg, "token"));
    s_done(&cfg, &v);

    // Two files: the later one wins, a list whole.
    char *later = s_file("later.yaml", "n: 2\nitems: [z]\n");
    const char *two[] = {"--config", path, "-c", later, NULL};
    assert_int_equal(s_args(&cfg, &v, two), SR_OK);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.nitems, 1);
    assert_string_equal(v.items[0], "z");
    assert_string_equal(v.name, "file");
    s_done(&cfg, &v);
    unlink(path);
    unlink(later);
    unlink(secret);
    free(path);
    free(later);
    free(secret);
}

static void
bad_flags_name_the_flag_and_the_range(void **state)
{
    (void)state;
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    const char *args[] = {"--n",     "11",      "--on=maybe", "--log-level",
                          "loud",    "--name",  "",           "--name",
                          "box",     "--thing", "a",          "--thing",
                          "a:short", "--bogus", "--t",        "x",
                          "extra",   "--token", "too-short",  "-q",
                          "--parts", "a,,b",    "--item",     NULL};
    assert_int_equal(s_args(&cfg, &v, args), SR_EINVAL);
    s_has(cfg, "--n: expected an integer from 1 to 10, got '11'");
    s_has(cfg, "--on: expected true or false, got 'maybe'");
    s_has(cfg, "--log-level: expected debug, info, warn, error or off, got "
               "'loud'");
    s_has(cfg, "--name: must not be empty");
    s_has(cfg, "--name: expected no 'x', got 'box'");
    s_has(cfg, "--thing: expected ID:SECRET");
    s_has(cfg, "--thing: secret: expected at least 8 bytes");
    s_has(cfg, "--bogus: unknown flag (see --help)");
    s_has(cfg, "--t: ambiguous flag (see --help)");
    s_has(cfg, "'x': unexpected argument (see --help)");
    s_has(cfg, "'extra': unexpected argument (see --help)");
    s_has(cfg, "--token: expected at least 16 bytes"); // not echoed
    s_has(cfg, "-q: unknown flag (see --help)");
    s_has(cfg, "--parts: must not be empty");
    s_has(cfg, "--item: needs an argument");
    s_done(&cfg, &v);

    const char *many[] = {"--item", "1",      "--item", "2", "--item",
                          "3",      "--item", "4",      NULL};
    assert_int_equal(s_args(&cfg, &v, many), SR_EINVAL);
    s_has(cfg, "--item: at most 3 items");
    s_done(&cfg, &v);
}

static void
file_problems_name_position_and_key(void **state)
{
    (void)state;
    char *path = s_file("bad.yaml", "n: [1, 2]\n"
                                    "colour: red\n"
                                    "n: 3\n"
                                    "log-level: loud\n"
                                    "items: {a: 1}\n"
                                    "is_on: maybe\n"
                                    "item: [x]\n"
                                    "parts: [a, [b]]\n"
                                    "things:\n"
                                    "  - {id: box, secret: 12345678}\n"
                                    "  - {id: ok, colour: red}\n"
                                    "  - {id: ok2}\n"
                                    "  - [1]\n"
                                    "token: short\n");
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    const char *args[] = {"--config", path, NULL};
    assert_int_equal(s_args(&cfg, &v, args), SR_EINVAL);
    char line[512];
#define S_AT(pos, rest)                                                        \
    (snprintf(line, sizeof line, "%s:%s", path, rest), s_has(cfg, line))
    S_AT(0, "1:4: key 'n': expected a single value");
    S_AT(0, "2:1: key 'colour': unknown key (see --help)");
    S_AT(0, "3:1: duplicate key 'n' (first at 1:1)");
    S_AT(0, "4:12: key 'log-level': expected debug, info, warn, error or "
            "off, got 'loud'");
    S_AT(0, "5:8: key 'items': expected a list");
    S_AT(0, "6:8: key 'is_on': expected true or false, got 'maybe'");
    S_AT(0, "7:1: key 'item': given twice");
    S_AT(0, "8:12: key 'parts[1]': expected a single value");
    S_AT(0, "10:10: key 'things[0].id': expected no 'x', got 'box'");
    S_AT(0, "11:14: key 'things[1].colour': unknown key (see --help)");
    S_AT(0, "12:5: key 'things[2]': needs a secret");
    S_AT(0, "13:5: key 'things[3]': expected a map of id:secret");
    S_AT(0, "14:8: key 'token': expected at least 16 bytes");
#undef S_AT
    assert_int_equal(v.nthings, 0); // items with problems are dropped
    s_done(&cfg, &v);

    static const struct {
        const char *text, *problem;
    } files[] = {
        {"- a\n- b\n", "1:1: expected a mapping of keys"},
        {"n: [1, 2\n", "2:1: "},
        {"things:\n  - {id: a, secret_file: /no/such}\n",
         "2:26: key 'things[0].secret_file': /no/such: cannot open: No such "
         "file or directory"},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = s_file("f.yaml", files[i].text);
        const char *a[] = {"--config", p, NULL};
        assert_int_equal(s_args(&cfg, &v, a), SR_EINVAL);
        char want[512];
        snprintf(want, sizeof want, "%s:%s", p, files[i].problem);
        if (strncmp(sr_cfg_problem_at(cfg, 0), want, strlen(want)) != 0)
            fail_msg("'%s' is not '%s'", sr_cfg_problem_at(cfg, 0), want);
        s_done(&cfg, &v);
        unlink(p);
        free(p);
    }
    const char *missing[] = {"--config", "/no/such.yaml", NULL};
    assert_int_equal(s_args(&cfg, &v, missing), SR_EINVAL);
    s_has(cfg, "/no/such.yaml: cannot open: No such file or directory");
    s_done(&cfg, &v);
    const char *folder[] = {"--config", s_dir, NULL};
    assert_int_equal(s_args(&cfg, &v, folder), SR_EINVAL);
    assert_non_null(strstr(sr_cfg_problem_at(cfg, 0), "cannot read"));
    s_done(&cfg, &v);
    char *empty = s_file("empty.yaml", "# nothing\n");
    const char *e[] = {"--config", empty, NULL};
    assert_int_equal(s_args(&cfg, &v, e), SR_OK);
    s_done(&cfg, &v);
    unlink(empty);
    free(empty);
    unlink(path);
    free(path);
}

static void
flags_hold_keys_so_the_file_is_not_read_for_them(void **state)
{
    (void)state;
    char *path = s_file("held.yaml", "n: 99\nitems: [a]\n");
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    const char *args[] = {"--config", path, "--n", "2", "--item", "b", NULL};
    assert_int_equal(s_args(&cfg, &v, args), SR_OK);
    assert_int_equal(v.n, 2);
    assert_string_equal(v.items[0], "b");
    s_done(&cfg, &v);
    unlink(path);
    free(path);
}

static void
finish_runs_only_without_problems(void **state)
{
    (void)state;
    s_values_t v;
    sr_cfg_t *cfg = NULL;
    int before = s_finished;
    const char *bad[] = {"--n", "0", NULL};
    assert_int_equal(s_args(&cfg, &v, bad), SR_EINVAL);
    assert_int_equal(s_finished, before);
    s_done(&cfg, &v);
    const char *unlucky[] = {"--n", "9", NULL};
    assert_int_equal(s_args(&cfg, &v, unlucky), SR_EINVAL);
    assert_int_equal(s_finished, before + 1);
    s_has(cfg, "n: 9 is unlucky");
    s_done(&cfg, &v);

    // A required key.
    static sr_cfg_key_t required[] = {
        {.name = "engines",
         .flag = "engine",
         .type = SR_CFG_LIST,
         .flags = SR_CFG_REQUIRED,
         .offset = S_OFF(items),
         .count_offset = S_OFF(nitems),
         .arg = "ENDPOINT",
         .doc = "x"},
    };
    sr_cfg_table_t t = {"sr-test", "x", required, 1, sizeof v, NULL};
    assert_int_equal(sr_cfg_new(&t, &v, &cfg), SR_OK);
    assert_int_equal(sr_cfg_finish(cfg), SR_EINVAL);
    s_has(cfg, "no engines: give --engine ENDPOINT, or 'engines' in the "
               "config file");
    sr_cfg_destroy(&cfg);
    sr_cfg_free(&t, &v);

    // --help and --version read nothing else.
    const char *help[] = {"--n", "0", "--he", NULL};
    assert_int_equal(s_args(&cfg, &v, help), SR_OK);
    assert_true(sr_cfg_is_help(cfg));
    s_done(&cfg, &v);
    const char *version[] = {"-V", "--config", "/no/such", NULL};
    assert_int_equal(s_args(&cfg, &v, version), SR_OK);
    assert_true(sr_cfg_is_version(cfg));
    s_done(&cfg, &v);
}

static char *
s_print(void (*print)(const sr_cfg_table_t *, FILE *))
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    print(&s_table, f);
    fclose(f);
    return text;
}

static void
help_and_docs_come_from_the_table(void **state)
{
    (void)state;
    char *help = s_print(sr_cfg_usage);
    static const char *const lines[] = {
        "usage: sr-test [--config FILE] [--FLAG VALUE]...\n",
        "\n  --name NAME                a name\n"
        "                             (default: HOST)\n",
        "\n  --on                       a switch\n"
        "                             (file: is_on; default: none)\n",
        "\n  --n N                      a number\n"
        "                             (1 to 10; default: 4)\n",
        "\n  --log-level debug|info|warn|error|off\n"
        "                             a level\n",
        "\n  --item ITEM                items\n"
        "                             (file: items; repeatable; default: "
        "none)\n",
        "\n  --add X                    items that flags add\n"
        "                             (file: adds; repeatable, adding to the "
        "file's;\n                             default: none)\n",
        "\n  --thing ID:SECRET          things, each with a long doc that the "
        "help wraps at\n                             eighty columns, to see "
        "that it does\n",
        "\n  --token TOKEN              a secret\n"
        "                             (at least 16 bytes; default: none)\n",
        "\n  --config FILE              read keys from a YAML file "
        "(repeatable: "
        "a later\n",
        "\n  --version                  print the version\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        if (!strstr(help, lines[i])) {
            fputs(help, stderr);
            fail_msg("--help lacks:\n%s", lines[i]);
        }
    for (const char *p = help; *p;
         p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0))
        assert_true(strcspn(p, "\n") <= 80);
    free(help);

    char *md = s_print(sr_cfg_markdown);
    static const char *const rows[] = {
        "| key | flag | default | meaning |\n|---|---|---|---|\n",
        "| `name` | `--name NAME` | HOST | a name |\n",
        "| `is_on` | `--on` | none | a switch |\n",
        "| `n` | `--n N` | 4 | a number; 1 to 10 |\n",
        "| `log-level` | `--log-level debug\\|info\\|warn\\|error\\|off` | "
        "`info` | a level |\n",
        "| `parts` | `--parts A,B` | none | parts; comma-separated or a YAML "
        "list |\n",
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        if (!strstr(md, rows[i])) {
            fputs(md, stderr);
            fail_msg("the Markdown lacks:\n%s", rows[i]);
        }
    free(md);
}

int
main(void)
{
    strcpy(s_dir, "/tmp/sr-cfg-XXXXXX");
    if (!mkdtemp(s_dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_come_first),
        cmocka_unit_test(flags_set_every_type),
        cmocka_unit_test(a_file_sets_every_type_and_flags_win),
        cmocka_unit_test(bad_flags_name_the_flag_and_the_range),
        cmocka_unit_test(file_problems_name_position_and_key),
        cmocka_unit_test(flags_hold_keys_so_the_file_is_not_read_for_them),
        cmocka_unit_test(finish_runs_only_without_problems),
        cmocka_unit_test(help_and_docs_come_from_the_table),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(s_dir);
    return rc;
}
