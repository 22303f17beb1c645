// sirocco action complete ACTION_ID|TOKEN (--result JSON | --error TEXT):
// finish a pending (delegate) action.
#ifndef CLI_CMD_ACTION_H
#define CLI_CMD_ACTION_H

// argv[0] is "action". Exit 0 done, 1 the engines failed, 2 usage.
int cli_action(int argc, char **argv);

#endif
