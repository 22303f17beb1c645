// Tests of the loader's model: every keyword lands where the engine reads
// it, task-defaults merge as in Mistral, inline parameters, the one-line
// retry, with-items zip, joins, transitions in every form, start tasks and
// inbound transitions, workbooks and ad-hoc actions.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lang_load_test_util.h"

static void
test_every_task_keyword_lands_in_the_model(void **state)
{
    (void)state;
    lang_doc_t *doc =
        lt_load("version: '2.0'\n"
                "wf:\n"
                "  description: the flow\n"
                "  tags: [a, b]\n"
                "  input:\n    - x\n    - y: 5\n"
                "  output: {r: <% $.r %>}\n"
                "  output-on-error: {e: 1}\n"
                "  vars: {v: 2}\n"
                "  tasks:\n"
                "    t1:\n"
                "      description: first\n"
                "      action: std.echo\n"
                "      input: {output: <% $.x %>}\n"
                "      publish: {r: <% task().result %>}\n"
                "      publish-on-error: {err: true}\n"
                "      with-items: i in <% $.list %>\n"
                "      concurrency: 2\n"
                "      keep-result: false\n"
                "      target: group-<% $.g %>\n"
                "      retry: {count: 3, delay: 1, break-on: <% $.b %>, "
                "continue-on: <% $.c %>}\n"
                "      wait-before: 1\n"
                "      wait-after: <% $.w %>\n"
                "      timeout: 30\n"
                "      pause-before: true\n"
                "      fail-on: <% $.f %>\n"
                "      safe-rerun: true\n"
                "      tags: [x]\n"
                "      on-success: t2\n"
                "    t2:\n"
                "      workflow: sub x=1\n"
                "      join: all\n");
    const lang_workflow_t *wf = lt_wf(doc, "wf");
    assert_string_equal(wf->description, "the flow");
    assert_int_equal(wf->ntags, 2);
    assert_int_equal(wf->type, LANG_WF_DIRECT);
    assert_int_equal(wf->ninputs, 2);
    assert_string_equal(wf->inputs[0].name, "x");
    assert_null(wf->inputs[0].default_value);
    assert_string_equal(lt_src(wf->inputs[1].default_value), "5");
    assert_string_equal(lt_src(wf->output), "{\"r\": \"<% $.r %>\"}");
    assert_string_equal(lt_src(wf->output_on_error), "{\"e\": 1}");
    assert_string_equal(lt_src(wf->vars), "{\"v\": 2}");
    const lang_task_t *t = lt_task(doc, "wf", "t1");
    assert_string_equal(t->description, "first");
    assert_int_equal(t->pos.line, 12);
    assert_int_equal(t->pos.col, 5);
    assert_string_equal(lt_src(t->action), "\"std.echo\"");
    assert_null(t->workflow);
    assert_string_equal(lt_src(t->input), "{\"output\": \"<% $.x %>\"}");
    assert_string_equal(lt_src(t->publish), "{\"r\": \"<% task().result %>\"}");
    assert_string_equal(lt_src(t->publish_on_error), "{\"err\": true}");
    assert_int_equal(t->nitems, 1);
    assert_string_equal(t->items[0].var, "i");
    assert_string_equal(lt_src(t->items[0].values), "\"<% $.list %>\"");
    assert_string_equal(lt_src(t->concurrency), "2");
    assert_string_equal(lt_src(t->keep_result), "false");
    assert_string_equal(lt_src(t->target), "\"group-<% $.g %>\"");
    assert_string_equal(lt_src(t->retry->count), "3");
    assert_string_equal(lt_src(t->retry->delay), "1");
    assert_string_equal(lt_src(t->retry->break_on), "\"<% $.b %>\"");
    assert_string_equal(lt_src(t->retry->continue_on), "\"<% $.c %>\"");
    assert_string_equal(lt_src(t->wait_before), "1");
    assert_string_equal(lt_src(t->wait_after), "\"<% $.w %>\"");
    assert_string_equal(lt_src(t->timeout), "30");
    assert_string_equal(lt_src(t->pause_before), "true");
    assert_string_equal(lt_src(t->fail_on), "\"<% $.f %>\"");
    assert_string_equal(lt_src(t->safe_rerun), "true");
    assert_int_equal(t->ntags, 1);
    assert_int_equal(t->on[LANG_ON_SUCCESS].count, 1);
    assert_int_equal(t->on[LANG_ON_SUCCESS].next[0].task_index, 1);
    const lang_task_t *t2 = lt_task(doc, "wf", "t2");
    assert_null(t2->action);
    assert_string_equal(lt_src(t2->workflow), "\"sub\"");
    assert_string_equal(lt_src(t2->input), "{\"x\": 1}");
    assert_int_equal(t2->join, LANG_JOIN_ALL);
    assert_null(t2->retry);
    lang_doc_destroy(&doc);
}

static void
test_task_defaults_merge_as_mistral_does(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  task-defaults:\n"
                              "    on-error: [handler, fail]\n"
                              "    on-success:\n"
                              "      next: [done]\n"
                              "      publish: {ignored: 1}\n"
                              "    retry: count=2 delay=1\n"
                              "    timeout: 10\n"
                              "    safe-rerun: true\n"
                              "  tasks:\n"
                              "    t1:\n"
                              "      timeout: 5\n"
                              "      on-success: t2\n"
                              "    t2:\n"
                              "      on-success:\n"
                              "        publish: {mine: 1}\n"
                              "    handler: {}\n"
                              "    done: {}\n");
    const lang_task_t *t1 = lt_task(doc, "wf", "t1");
    const lang_task_t *t2 = lt_task(doc, "wf", "t2");
    const lang_task_t *h = lt_task(doc, "wf", "handler");
    const lang_task_t *done = lt_task(doc, "wf", "done");
    // Own clause wins; defaults fill empty clauses, minus the task itself.
    assert_int_equal(t1->on[LANG_ON_SUCCESS].count, 1);
    assert_string_equal(t1->on[LANG_ON_SUCCESS].next[0].task, "t2");
    assert_int_equal(t1->on[LANG_ON_ERROR].count, 2);
    assert_string_equal(t1->on[LANG_ON_ERROR].next[0].task, "handler");
    assert_int_equal(t1->on[LANG_ON_ERROR].next[1].cmd, LANG_CMD_FAIL);
    assert_int_equal(h->on[LANG_ON_ERROR].count, 1);
    assert_int_equal(h->on[LANG_ON_ERROR].next[0].cmd, LANG_CMD_FAIL);
    assert_int_equal(done->on[LANG_ON_SUCCESS].count, 0);
    // A clause with publish only takes the default next, keeps its publish;
    // the defaults' publish is not applied.
    assert_int_equal(t2->on[LANG_ON_SUCCESS].count, 1);
    assert_string_equal(t2->on[LANG_ON_SUCCESS].next[0].task, "done");
    assert_string_equal(lt_src(t2->on[LANG_ON_SUCCESS].publish),
                        "{\"mine\": 1}");
    assert_null(h->on[LANG_ON_SUCCESS].publish);
    // Policies: the task's own wins, else the default.
    assert_string_equal(lt_src(t1->timeout), "5");
    assert_string_equal(lt_src(t2->timeout), "10");
    assert_string_equal(lt_src(t2->retry->count), "2");
    assert_string_equal(lt_src(h->safe_rerun), "true");
    lang_doc_destroy(&doc);

    doc = lt_load("version: '2.0'\n"
                  "wf:\n"
                  "  type: reverse\n"
                  "  task-defaults:\n"
                  "    requires: [base]\n"
                  "  tasks:\n"
                  "    base: {}\n"
                  "    a: {requires: b}\n"
                  "    b: {requires: [base]}\n");
    const lang_task_t *a = lt_task(doc, "wf", "a");
    const lang_task_t *base = lt_task(doc, "wf", "base");
    const lang_task_t *b = lt_task(doc, "wf", "b");
    assert_int_equal(a->nrequires, 2);
    assert_string_equal(a->requires[0], "b");
    assert_string_equal(a->requires[1], "base");
    assert_int_equal(a->requires_index[0], 2);
    assert_int_equal(a->requires_index[1], 0);
    assert_int_equal(base->nrequires, 0); // itself removed
    assert_int_equal(b->nrequires, 1);
    lang_doc_destroy(&doc);
}

static void
test_inline_parameters_in_every_form(void **state)
{
    (void)state;
    lang_doc_t *doc =
        lt_load("version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    a: {action: std.echo output=\"Echo\"}\n"
                "    b: {action: std.echo output=1}\n"
                "    c: {action: 'std.echo output=[\"Hi\", \"John Doe!\"]'}\n"
                "    d: {action: std.echo output='1'}\n"
                "    e: {action: std.sleep seconds=1}\n"
                "    f: {action: std.echo output=<% $.x %>}\n"
                "    g: {action: std.echo output=\"<% $.a %>-<% $.a %>\"}\n"
                "    h: {action: 'std.echo output=\"{{ _.farewell }}, {{ "
                "_.name }}\"'}\n"
                "    i: {action: <% $.wf_action %> output=<% $.param1 %>}\n"
                "    j: {workflow: subflow1 name=<% $.name %>}\n"
                "    k:\n"
                "      action: std.echo output=inline extra=true\n"
                "      input: {output: explicit, other: null}\n"
                "    l:\n"
                "      action: std.echo output=['a', 'b'] n=null f=1.5\n");
    static const struct {
        const char *task, *input;
    } want[] = {
        {"a", "{\"output\": \"Echo\"}"},
        {"b", "{\"output\": 1}"},
        {"c", "{\"output\": [\"Hi\", \"John Doe!\"]}"},
        {"d", "{\"output\": \"1\"}"},
        {"e", "{\"seconds\": 1}"},
        {"f", "{\"output\": \"<% $.x %>\"}"},
        {"g", "{\"output\": \"<% $.a %>-<% $.a %>\"}"},
        {"h", "{\"output\": \"{{ _.farewell }}, {{ _.name }}\"}"},
        {"i", "{\"output\": \"<% $.param1 %>\"}"},
        {"j", "{\"name\": \"<% $.name %>\"}"},
        {"k", "{\"output\": \"inline\", \"other\": null, \"extra\": true}"},
        {"l", "{\"output\": [\"a\", \"b\"], \"n\": null, \"f\": 1.5}"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_string_equal(lt_src(lt_task(doc, "wf", want[i].task)->input),
                            want[i].input);
    assert_string_equal(lt_src(lt_task(doc, "wf", "i")->action),
                        "\"<% $.wf_action %>\"");
    assert_null(lang_vt_const(lt_task(doc, "wf", "i")->action));
    assert_string_equal(lt_src(lt_task(doc, "wf", "j")->workflow),
                        "\"subflow1\"");
    lang_doc_destroy(&doc);
    doc = lt_load("version: '2.0'\n"
                  "wf:\n"
                  "  tasks:\n"
                  "    t: {workflow: '{{ _.wf }}', input: '{{ _.inp }}'}\n"
                  "    u: {}\n");
    assert_string_equal(lt_src(lt_task(doc, "wf", "t")->input),
                        "\"{{ _.inp }}\"");
    assert_null(lt_task(doc, "wf", "u")->input);
    assert_null(lt_task(doc, "wf", "u")->action); // runs std.noop
    lang_doc_destroy(&doc);
}

static void
test_retry_has_a_one_line_form(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load(
        "version: '2.0'\n"
        "wf:\n"
        "  tasks:\n"
        "    a: {retry: count=3 delay=1}\n"
        "    b:\n"
        "      retry: count=<% $.n %> delay=2 break-on=<% $.x > 1 %>\n");
    const lang_task_t *a = lt_task(doc, "wf", "a");
    assert_int_equal(sr_value_int(lang_vt_const(a->retry->count)), 3);
    assert_int_equal(sr_value_int(lang_vt_const(a->retry->delay)), 1);
    assert_null(a->retry->break_on);
    const lang_task_t *b = lt_task(doc, "wf", "b");
    assert_string_equal(lt_src(b->retry->count), "\"<% $.n %>\"");
    assert_string_equal(lt_src(b->retry->break_on), "\"<% $.x > 1 %>\"");
    lang_doc_destroy(&doc);
}

static void
test_with_items_zip_lists_and_expressions(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  tasks:\n"
                              "    a:\n"
                              "      with-items:\n"
                              "        - x in [1, 2, 3]\n"
                              "        - y in <% $.ys %>\n"
                              "        - z in ['p', \"<% $.q %>\"]\n"
                              "    b: {with-items: 'i in []'}\n");
    const lang_task_t *a = lt_task(doc, "wf", "a");
    assert_int_equal(a->nitems, 3);
    assert_string_equal(a->items[0].var, "x");
    assert_string_equal(lt_src(a->items[0].values), "[1, 2, 3]");
    assert_non_null(lang_vt_const(a->items[0].values));
    assert_string_equal(a->items[1].var, "y");
    assert_string_equal(lt_src(a->items[1].values), "\"<% $.ys %>\"");
    assert_string_equal(lt_src(a->items[2].values), "[\"p\", \"<% $.q %>\"]");
    assert_null(lang_vt_const(a->items[2].values));
    assert_string_equal(lt_src(lt_task(doc, "wf", "b")->items[0].values), "[]");
    lang_doc_destroy(&doc);
}

static void
test_join_forms(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  tasks:\n"
                              "    a: {on-success: [all, one, two, zero]}\n"
                              "    b: {on-complete: [all, one, two]}\n"
                              "    all: {join: all}\n"
                              "    one: {join: one}\n"
                              "    two: {join: 2}\n"
                              "    zero: {join: 0}\n");
    assert_int_equal(lt_task(doc, "wf", "all")->join, LANG_JOIN_ALL);
    assert_int_equal(lt_task(doc, "wf", "one")->join, 1);
    assert_int_equal(lt_task(doc, "wf", "two")->join, 2);
    assert_int_equal(lt_task(doc, "wf", "zero")->join, LANG_JOIN_NONE);
    lang_doc_destroy(&doc);
}

static void
test_transitions_in_every_form(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  tasks:\n"
                              "    t1:\n"
                              "      on-success: t2\n"
                              "      on-error:\n"
                              "        - t3: <% $.x = 1 %>\n"
                              "        - fail(msg='failed, x')\n"
                              "        - succeed msg=<% $.m %>\n"
                              "        - pause\n"
                              "        - noop: '{{ _.y }}'\n"
                              "      on-complete:\n"
                              "        next:\n"
                              "          - t2\n"
                              "          - t4: <% true %>\n"
                              "        publish:\n"
                              "          branch: {b: 1}\n"
                              "          global: {g: <% $.x %>}\n"
                              "    t2:\n"
                              "      on-success: {t3: <% $.ok %>}\n"
                              "      on-error: {publish: {p: 1}, next: t4}\n"
                              "    t3: {}\n"
                              "    t4: {}\n");
    const lang_task_t *t1 = lt_task(doc, "wf", "t1");
    const lang_clause_t *s = &t1->on[LANG_ON_SUCCESS];
    assert_int_equal(s->count, 1);
    assert_int_equal(s->next[0].cmd, LANG_CMD_NONE);
    assert_string_equal(s->next[0].task, "t2");
    assert_int_equal(s->next[0].task_index, 1);
    assert_null(s->next[0].when);
    assert_int_equal(s->next[0].pos.line, 5);
    assert_int_equal(s->next[0].pos.col, 19);
    const lang_clause_t *e = &t1->on[LANG_ON_ERROR];
    assert_int_equal(e->count, 5);
    assert_string_equal(lt_src(e->next[0].when), "\"<% $.x = 1 %>\"");
    assert_int_equal(e->next[1].cmd, LANG_CMD_FAIL);
    assert_int_equal(e->next[1].task_index, -1);
    assert_string_equal(lt_src(e->next[1].msg), "\"failed, x\"");
    assert_int_equal(e->next[2].cmd, LANG_CMD_SUCCEED);
    assert_string_equal(lt_src(e->next[2].msg), "\"<% $.m %>\"");
    assert_int_equal(e->next[3].cmd, LANG_CMD_PAUSE);
    assert_null(e->next[3].msg);
    assert_int_equal(e->next[4].cmd, LANG_CMD_NOOP);
    assert_string_equal(lt_src(e->next[4].when), "\"{{ _.y }}\"");
    const lang_clause_t *c = &t1->on[LANG_ON_COMPLETE];
    assert_int_equal(c->count, 2);
    assert_string_equal(c->next[1].task, "t4");
    assert_string_equal(lt_src(c->publish), "{\"b\": 1}");
    assert_string_equal(lt_src(c->publish_global), "{\"g\": \"<% $.x %>\"}");
    const lang_task_t *t2 = lt_task(doc, "wf", "t2");
    assert_string_equal(t2->on[LANG_ON_SUCCESS].next[0].task, "t3");
    assert_string_equal(lt_src(t2->on[LANG_ON_SUCCESS].next[0].when),
                        "\"<% $.ok %>\"");
    assert_string_equal(lt_src(t2->on[LANG_ON_ERROR].publish), "{\"p\": 1}");
    assert_null(t2->on[LANG_ON_ERROR].publish_global);
    assert_string_equal(t2->on[LANG_ON_ERROR].next[0].task, "t4");
    lang_doc_destroy(&doc);
}

static void
test_start_tasks_and_inbound_transitions(void **state)
{
    (void)state;
    lang_doc_t *doc =
        lt_load("version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    a: {on-success: [c, {c: <% true %>}], on-error: c}\n"
                "    b: {on-complete: [c, fail]}\n"
                "    c: {on-success: d}\n"
                "    d: {}\n"
                "    e: {}\n");
    const lang_workflow_t *wf = lt_wf(doc, "wf");
    assert_int_equal(wf->nstart, 3);
    assert_int_equal(wf->start[0], 0);
    assert_int_equal(wf->start[1], 1);
    assert_int_equal(wf->start[2], 4);
    const lang_task_t *c = lt_task(doc, "wf", "c");
    assert_int_equal(c->ninbound, 3); // (a, success), (a, error), (b, ...)
    assert_int_equal(c->inbound[0].from, 0);
    assert_int_equal(c->inbound[0].on, LANG_ON_SUCCESS);
    assert_int_equal(c->inbound[1].from, 0);
    assert_int_equal(c->inbound[1].on, LANG_ON_ERROR);
    assert_int_equal(c->inbound[2].from, 1);
    assert_int_equal(c->inbound[2].on, LANG_ON_COMPLETE);
    assert_int_equal(lt_task(doc, "wf", "d")->ninbound, 1);
    assert_int_equal(lt_task(doc, "wf", "a")->ninbound, 0);
    lang_doc_destroy(&doc);
}

static void
test_workbooks_qualify_names(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "name: w\n"
                              "description: a book\n"
                              "tags: [t]\n"
                              "workflows:\n"
                              "  main:\n"
                              "    tasks:\n"
                              "      a: {workflow: sub}\n"
                              "      b: {action: greet name=x}\n"
                              "      c: {action: std.echo output=1}\n"
                              "      e: {workflow: wide}\n"
                              "      d: {workflow: w.sub}\n"
                              "  wide:\n"
                              "    tasks:\n"
                              "      x: {}\n"
                              "  sub:\n"
                              "    type: reverse\n"
                              "    tasks:\n"
                              "      x: {}\n"
                              "actions:\n"
                              "  greet:\n"
                              "    base: std.echo output=\"hi\"\n"
                              "    base-input: {output: <% $.name %>, n: 1}\n"
                              "    input: [name, {greeting: hello}]\n"
                              "    output: <% $ %>\n"
                              "  twice:\n"
                              "    base: greet\n");
    assert_string_equal(lang_doc_name(doc), "w"); // a prefix of "wf"
    assert_int_equal(lang_doc_nworkflows(doc), 3);
    assert_string_equal(lt_src(lt_task(doc, "main", "e")->workflow),
                        "\"w.wide\"");
    assert_string_equal(lang_doc_workflow_at(doc, 0)->name, "w.main");
    assert_ptr_equal(lang_doc_workflow(doc, "main"),
                     lang_doc_workflow(doc, "w.main"));
    assert_int_equal(lang_doc_workflow(doc, "sub")->type, LANG_WF_REVERSE);
    assert_null(lang_doc_workflow(doc, "nope"));
    assert_string_equal(lt_src(lt_task(doc, "main", "a")->workflow),
                        "\"w.sub\"");
    assert_string_equal(lt_src(lt_task(doc, "main", "b")->action),
                        "\"w.greet\"");
    assert_string_equal(lt_src(lt_task(doc, "main", "c")->action),
                        "\"std.echo\"");
    assert_string_equal(lt_src(lt_task(doc, "main", "d")->workflow),
                        "\"w.sub\"");
    assert_int_equal(lang_doc_nactions(doc), 2);
    const lang_action_t *g = lang_doc_action(doc, "greet");
    assert_ptr_equal(g, lang_doc_action_at(doc, 0));
    assert_string_equal(g->name, "w.greet");
    assert_string_equal(g->base, "std.echo");
    // Inline parameters of base win over base-input, as in Mistral.
    assert_string_equal(lt_src(g->base_input),
                        "{\"output\": \"hi\", \"n\": 1}");
    assert_int_equal(g->ninputs, 2);
    assert_null(g->inputs[0].default_value);
    assert_string_equal(lt_src(g->inputs[1].default_value), "\"hello\"");
    assert_string_equal(lt_src(g->output), "\"<% $ %>\"");
    assert_string_equal(lang_doc_action(doc, "twice")->base, "w.greet");
    lang_doc_destroy(&doc);
}

static void
test_versions_and_document_data(void **state)
{
    (void)state;
    static const char *const ok[] = {"'2.0'", "2.0", "2", "\"2\""};
    char text[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(text, sizeof text, "version: %s\nwf:\n  tasks:\n    t1: {}\n",
                 ok[i]);
        lang_doc_t *doc = lt_load(text);
        lang_doc_destroy(&doc);
    }
    const char *src = "version: '2.0'\nwf:\n  tasks:\n    t1: {}\n";
    lang_doc_t *doc = lt_load(src);
    assert_string_equal(lang_doc_hash(doc), "55efa3f88e001f8ff9ae5363e0d53f82"
                                            "951f6bf2b6b8dd24a2664077ffb2656a");
    assert_string_equal(lang_doc_text(doc), src);
    assert_null(lang_doc_name(doc));
    assert_int_equal(lang_doc_nactions(doc), 0);
    assert_null(lang_doc_workflow_at(doc, 1));
    assert_int_equal(lang_workflow_task_index(lt_wf(doc, "wf"), "zz"), -1);
    lang_doc_destroy(&doc);
    lang_doc_destroy(&doc); // NULL-safe
}

static void
test_templates_of_the_model_evaluate(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  tasks:\n"
                              "    t1:\n"
                              "      action: std.echo output=<% $.x * 2 %> "
                              "tag=\"n-{{ _.x }}\"\n"
                              "      on-success:\n"
                              "        - t2: <% $.x > 1 %>\n"
                              "    t2: {}\n");
    const lang_task_t *t1 = lt_task(doc, "wf", "t1");
    sr_value_t *data = sr_value_new_map(1), *out = NULL;
    assert_int_equal(sr_value_map_put(data, "x", sr_value_new_int(5)), SR_OK);
    lang_eval_ctx_t ctx = {.data = data};
    sr_error_t err;
    const lang_vt_t *input = t1->input;
    assert_int_equal(lang_vt_eval(input, &ctx, &out, &err), SR_OK);
    assert_int_equal(sr_value_int(sr_value_map_get(out, "output")), 10);
    // Each string leaf is one template: no mixing across parameters.
    assert_string_equal(sr_value_map_str(out, "tag"), "n-5");
    sr_value_destroy(&out);
    const lang_vt_t *when = t1->on[LANG_ON_SUCCESS].next[0].when;
    assert_int_equal(lang_vt_eval(when, &ctx, &out, &err), SR_OK);
    assert_true(sr_value_bool(out));
    sr_value_destroy(&out);
    sr_value_destroy(&data);
    lang_doc_destroy(&doc);
}

static void
test_specs_keep_the_yaml_as_written(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  description: d\n"
                              "  task-defaults:\n"
                              "    retry: {count: 2, delay: 1}\n"
                              "  tasks:\n"
                              "    t1:\n"
                              "      tags: [a]\n"
                              "      action: std.echo output=<% $.x %>\n"
                              "      publish: {n: 1.5, e: null}\n");
    const lang_workflow_t *wf = lt_wf(doc, "wf");
    const lang_task_t *t1 = lt_task(doc, "wf", "t1");
    // Templates stay text; task-defaults are not merged into the spec.
    assert_string_equal(
        lt_src(t1->spec),
        "{\"name\": \"t1\", \"version\": \"2.0\", \"tags\": [\"a\"], "
        "\"action\": \"std.echo output=<% $.x %>\", "
        "\"publish\": {\"n\": 1.5, \"e\": null}}");
    const sr_value_t *spec = lang_vt_const(wf->spec);
    assert_non_null(spec);
    assert_string_equal(sr_value_map_str(spec, "name"), "wf");
    assert_string_equal(sr_value_map_str(spec, "description"), "d");
    assert_non_null(sr_value_map_get(spec, "task-defaults"));
    assert_int_equal(sr_value_len(sr_value_map_get(spec, "tasks")), 1);
    lang_doc_destroy(&doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_task_keyword_lands_in_the_model),
        cmocka_unit_test(test_task_defaults_merge_as_mistral_does),
        cmocka_unit_test(test_inline_parameters_in_every_form),
        cmocka_unit_test(test_retry_has_a_one_line_form),
        cmocka_unit_test(test_with_items_zip_lists_and_expressions),
        cmocka_unit_test(test_join_forms),
        cmocka_unit_test(test_transitions_in_every_form),
        cmocka_unit_test(test_start_tasks_and_inbound_transitions),
        cmocka_unit_test(test_workbooks_qualify_names),
        cmocka_unit_test(test_versions_and_document_data),
        cmocka_unit_test(test_templates_of_the_model_evaluate),
        cmocka_unit_test(test_specs_keep_the_yaml_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
