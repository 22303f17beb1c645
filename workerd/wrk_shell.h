// The sirocco.shell action: runs `/bin/sh -c cmd` with optional extra
// environment variables and working folder. It gives any workflow author a
// shell on the worker, so a worker offers it only when its configuration
// says so (wrk_config_t.is_shell_enabled); the registry refuses it
// otherwise.
//
// Result: {"stdout": text, "stderr": text, "exit_code": 0}. A non-zero exit
// is an ERROR carrying the same map; timeout, cancel and oversized output
// are ERRORs with a message.
#ifndef WRK_SHELL_H
#define WRK_SHELL_H

#include "wrk_action.h"

#define WRK_SHELL_NAME "sirocco.shell"

extern const wrk_action_def_t wrk_shell_action;

#endif
