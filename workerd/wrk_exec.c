// Custom executable actions: name checks, lookup and listing in the action
// folder, and one run (input JSON on stdin, result JSON from stdout, exit
// status and stderr for errors). Owns nothing between calls; reentrant.
#include "wrk_exec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_value_json.h"
#include "wrk_env.h"
#include "wrk_proc.h"

#define S_NAME_MAX 255

bool
wrk_exec_name_ok(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > S_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-')
            return false;
    }
    return true;
}

// Is `path` a regular file we may execute? Fills err when not.
static sr_err_t
s_check_file(const char *path, const char *name, sr_error_t *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return sr_error_set(err, SR_ENOTFOUND, "unknown action '%s'%s", name,
                            errno == ENOENT ? "" : " (cannot read its file)");
    if (!S_ISREG(st.st_mode))
        return sr_error_set(err, SR_ENOTFOUND,
                            "action '%s': '%s' is not a regular file", name,
                            path);
    if (access(path, X_OK) < 0)
        return sr_error_set(err, SR_ENOTFOUND,
                            "action '%s': '%s' is not executable", name, path);
    return SR_OK;
}

sr_err_t
wrk_exec_find(const char *dir, const char *name, char **path, sr_error_t *err)
{
    if (!wrk_exec_name_ok(name))
        return sr_error_set(err, SR_EINVAL,
                            "action name '%s' is not allowed (letters, "
                            "digits, '_', '.', '-'; not starting with '.')",
                            name ? name : "");
    char *full = NULL;
    if (asprintf(&full, "%s/%s", dir, name) < 0)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = s_check_file(full, name, err);
    if (rc != SR_OK) {
        free(full);
        return rc;
    }
    *path = full;
    return SR_OK;
}

static int
s_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Collect the allowed, executable names of `d` into a growable array.
static sr_err_t
s_collect(DIR *d, const char *dir, char ***names, size_t *count)
{
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *path = NULL;
        sr_error_t ignored;
        if (!wrk_exec_name_ok(e->d_name) ||
            wrk_exec_find(dir, e->d_name, &path, &ignored) != SR_OK)
            continue;
        free(path);
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(*names, cap * sizeof *grown);
            if (!grown)
                return SR_ENOMEM;
            *names = grown;
        }
        if (!((*names)[*count] = strdup(e->d_name)))
            return SR_ENOMEM;
        (*count)++;
    }
    return SR_OK;
}

sr_err_t
wrk_exec_list(const char *dir, sr_value_t **out, sr_error_t *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return sr_error_set(err, SR_EIO, "cannot read action folder '%s': %s",
                            dir, strerror(errno));
    char **names = NULL;
    size_t count = 0;
    sr_value_t *list = NULL;
    sr_err_t rc = s_collect(d, dir, &names, &count);
    closedir(d);
    if (rc == SR_OK && count)
        qsort(names, count, sizeof *names, s_cmp_names);
    if (rc == SR_OK && !(list = sr_value_new_array(count)))
        rc = SR_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        if (rc == SR_OK)
            rc = sr_value_array_append(list, sr_value_new_str(names[i]));
        free(names[i]);
    }
    free(names);
    if (rc != SR_OK) {
        sr_value_destroy(&list);
        return sr_error_set(err, rc, "out of memory");
    }
    *out = list;
    return SR_OK;
}

sr_value_t *
wrk_exec_message(const char *text, size_t len, size_t limit)
{
    while (len && isspace((unsigned char)text[0]))
        text++, len--;
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    if (len <= limit)
        return sr_value_new_strn(text, len);
    size_t cut = limit;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--; // do not split a UTF-8 sequence
    return sr_value_new_strf("%.*s...", (int)cut, text);
}

// Is the value exactly {"sirocco": "pending"}?
static bool
s_is_pending(const sr_value_t *v)
{
    const char *mark = sr_value_map_str(v, "sirocco");
    return sr_value_len(v) == 1 && mark && strcmp(mark, "pending") == 0;
}

// The outcome of a child that exited with status 0: its stdout as JSON.
static void
s_parse_stdout(const wrk_run_t *run, const wrk_proc_result_t *p,
               wrk_result_t *out)
{
    size_t i = 0;
    while (i < p->out_len && isspace((unsigned char)p->out[i]))
        i++;
    if (i == p->out_len) {
        wrk_result_success(out, sr_value_new_nil());
        return;
    }
    sr_limits_t limits = {.max_bytes = p->out_len + 1, .max_depth = 0};
    sr_value_t *v = NULL;
    sr_error_t jerr;
    if (sr_value_from_json(p->out, p->out_len, &limits, &v, &jerr) != SR_OK) {
        char text[320];
        wrk_result_error(out, run->action,
                         "stdout is not JSON (%s); print one JSON value, or "
                         "nothing for null",
                         sr_error_text(&jerr, text, sizeof text));
        return;
    }
    if (s_is_pending(v)) {
        sr_value_destroy(&v);
        wrk_result_pending(out);
        return;
    }
    wrk_result_success(out, v);
}

bool
wrk_exec_stopped(const wrk_run_t *run, const wrk_proc_result_t *p,
                 wrk_result_t *out)
{
    switch (p->end) {
    case WRK_PROC_TIMEOUT:
        wrk_result_error(out, run->action, "%s",
                         wrk_wake_text(WRK_WAKE_TIMEOUT));
        return true;
    case WRK_PROC_CANCELLED:
        wrk_result_error(out, run->action, "%s",
                         wrk_wake_text(WRK_WAKE_CANCELLED));
        return true;
    case WRK_PROC_OVERFLOW:
        wrk_result_error(out, run->action, "output exceeds %zu bytes on %s",
                         run->config->output_limit_bytes, p->overflow);
        return true;
    case WRK_PROC_SIGNALED:
        wrk_result_error(out, run->action, "killed by signal %d (%s)", p->code,
                         strsignal(p->code));
        return true;
    case WRK_PROC_EXITED:
        break;
    }
    return false;
}

// Turn the end of the child into the action's result.
static void
s_outcome(const wrk_run_t *run, const wrk_proc_result_t *p, wrk_result_t *out)
{
    if (wrk_exec_stopped(run, p, out))
        return;
    if (p->code == 0) {
        s_parse_stdout(run, p, out);
        return;
    }
    sr_value_t *msg =
        wrk_exec_message(p->err, p->err_len, WRK_DEFAULT_MESSAGE_LIMIT);
    if (msg && sr_value_len(msg) == 0) {
        sr_value_destroy(&msg);
        wrk_result_error(out, run->action, "exited with status %d", p->code);
        return;
    }
    wrk_result_error_value(out, msg);
}

void
wrk_exec_run(const wrk_run_t *run, const char *path, wrk_result_t *out)
{
    wrk_env_t *env = NULL;
    sr_error_t err;
    char *input = sr_value_to_json(run->input, SR_JSON_COMPACT);
    if (!input || wrk_env_new(&env, &err) != SR_OK ||
        wrk_env_set_run(env, run, &err) != SR_OK) {
        wrk_result_error_value(out, NULL);
        goto done;
    }
    char *argv[] = {(char *)path, NULL};
    wrk_bound_t bound =
        wrk_bound_narrow(run->bound, run->config->default_timeout_ms);
    wrk_proc_opts_t opts = {
        .path = path,
        .argv = argv,
        .envp = wrk_env_array(env),
        .stdin_data = input,
        .stdin_len = strlen(input),
        .output_limit = run->config->output_limit_bytes,
        .kill_grace_ms = run->config->kill_grace_ms,
        .bound = &bound,
    };
    wrk_proc_result_t p;
    if (wrk_proc_run(&opts, &p, &err) != SR_OK) {
        if (err.code == SR_ENOMEM)
            wrk_result_error_value(out, NULL);
        else
            wrk_result_error(out, run->action, "%s", err.msg);
        goto done;
    }
    s_outcome(run, &p, out);
    wrk_proc_result_fini(&p);
done:
    free(input);
    wrk_env_destroy(&env);
}
