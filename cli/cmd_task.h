// sirocco task list EXECUTION: the task executions of an execution.
#ifndef CLI_CMD_TASK_H
#define CLI_CMD_TASK_H

// argv[0] is "task". Exit 0 done, 1 the engines failed, 2 usage.
int cli_task(int argc, char **argv);

#endif
