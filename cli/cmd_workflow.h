// sirocco workflow create|list|get|delete: workflow definitions on the
// engines of a cluster.
#ifndef CLI_CMD_WORKFLOW_H
#define CLI_CMD_WORKFLOW_H

// argv[0] is "workflow". Exit 0 done, 1 the engines failed, 2 usage.
int cli_workflow(int argc, char **argv);

#endif
