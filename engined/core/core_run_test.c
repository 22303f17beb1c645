// The core's own queue (core_run.c), alone: follow-ups run depth-first in
// the order pushed, deferred ones last and in order, the mark counts what
// was pushed, and the modes go back now or after what was pushed.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_run.h"

static core_run_t s_run;
static core_cmds_t s_cmds;
static sr_error_t s_err;

static int
s_setup(void **state)
{
    (void)state;
    core_cmds_init(&s_cmds);
    core_run_init(&s_run, NULL, NULL, &s_cmds, 0, &s_err);
    return 0;
}

static int
s_teardown(void **state)
{
    (void)state;
    core_run_fini(&s_run);
    core_cmds_fini(&s_cmds);
    return 0;
}

static void
s_push(uint32_t item)
{
    core_followup_t fu = {.kind = CORE_FU_TOP_UP, .item = item};
    assert_int_equal(core_followup_push(&s_run, &fu), SR_OK);
}

// The item of the follow-up that runs next (0: none).
static uint32_t
s_next(bool deferred)
{
    core_followup_t fu;
    if (!core_followup_next(&s_run, deferred, &fu))
        return 0;
    uint32_t item = fu.item;
    core_followup_fini(&fu);
    return item;
}

static void
test_follow_ups_run_depth_first_in_the_order_pushed(void **state)
{
    (void)state;
    s_push(1); // the event pushes 1 and 2
    s_push(2);
    assert_int_equal(s_next(true), 1);
    s_push(3); // 1 pushes 3 and 4: they run before 2
    s_push(4);
    assert_int_equal(s_next(true), 3);
    s_push(5); // 3 pushes 5: before 4
    assert_int_equal(s_next(true), 5);
    assert_int_equal(s_next(true), 4);
    assert_int_equal(s_next(true), 2);
    assert_int_equal(s_next(true), 0);
}

static void
test_deferred_follow_ups_run_last_and_in_order(void **state)
{
    (void)state;
    core_followup_t a = {.kind = CORE_FU_CHILD_DONE, .item = 8};
    core_followup_t b = {.kind = CORE_FU_CHILD_DONE, .item = 9};
    assert_int_equal(core_followup_defer(&s_run, &a), SR_OK);
    s_push(1);
    assert_int_equal(core_followup_defer(&s_run, &b), SR_OK);
    assert_int_equal(s_next(false), 1);
    assert_int_equal(s_next(false), 0); // not while the stack is drained
    assert_int_equal(s_next(true), 8);
    s_push(2); // pushed by 8: before 9
    assert_int_equal(s_next(true), 2);
    assert_int_equal(s_next(true), 9);
    assert_int_equal(s_next(true), 0);
}

static void
test_the_mark_counts_what_was_pushed(void **state)
{
    (void)state;
    size_t mark = core_followup_mark(&s_run);
    core_followup_t d = {.kind = CORE_FU_CHILD_DONE};
    assert_int_equal(core_followup_defer(&s_run, &d), SR_OK);
    assert_int_equal(core_followup_mark(&s_run), mark);
    s_push(1);
    assert_int_equal(core_followup_mark(&s_run), mark + 1);
}

static void
test_modes_go_back_now_or_after_what_was_pushed(void **state)
{
    (void)state;
    core_modes_t saved = s_run.modes;
    s_run.modes.resuming = true;
    assert_int_equal(core_run_restore(&s_run, &saved, s_run.pushed), SR_OK);
    assert_false(s_run.modes.resuming); // nothing pushed: back at once
    size_t mark = core_followup_mark(&s_run);
    s_run.modes.resuming = true;
    s_push(1);
    assert_int_equal(core_run_restore(&s_run, &saved, mark), SR_OK);
    assert_true(s_run.modes.resuming);
    core_followup_t fu;
    assert_true(core_followup_next(&s_run, true, &fu));
    assert_int_equal(fu.item, 1);
    assert_true(core_followup_next(&s_run, true, &fu));
    assert_int_equal(fu.kind, CORE_FU_RESTORE);
    assert_false(fu.flag);
}

static void
test_the_stack_outgrows_its_room_in_the_frame(void **state)
{
    (void)state;
    for (uint32_t i = 1; i <= 3 * CORE_RUN_LOCAL; i++)
        s_push(i);
    for (uint32_t i = 1; i <= 3 * CORE_RUN_LOCAL; i++)
        assert_int_equal(s_next(true), i);
    assert_int_equal(s_next(true), 0);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
    const struct CMUnitTest tests[] = {
        T(test_follow_ups_run_depth_first_in_the_order_pushed),
        T(test_deferred_follow_ups_run_last_and_in_order),
        T(test_the_mark_counts_what_was_pushed),
        T(test_modes_go_back_now_or_after_what_was_pushed),
        T(test_the_stack_outgrows_its_room_in_the_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
