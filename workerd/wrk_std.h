// The small built-in std.* actions of Mistral: std.noop, std.echo,
// std.fail, std.sleep and std.async_noop (std.http has its own room).
// Parameter names and results follow mistral/actions/std_actions.py.
#ifndef WRK_STD_H
#define WRK_STD_H

#include <stddef.h>

#include "wrk_action.h"

// The table of these actions; *count receives its length. Static.
const wrk_action_def_t *wrk_std_actions(size_t *count);

#endif
