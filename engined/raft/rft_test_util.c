// Helpers shared by the tests of engined/raft (see rft_test_util.h).
#include "rft_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

void
rt_mkdir(char dir[64])
{
    snprintf(dir, 64, "/tmp/sr-raft-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

void
rt_rmdir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}
