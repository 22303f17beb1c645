// sirocco run FILE.yaml: see cmd_run.c.
#ifndef CMD_RUN_H
#define CMD_RUN_H

int cli_run(int argc, char **argv);

#endif
