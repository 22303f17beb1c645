// sirocco bench: see cmd_bench.c.
#ifndef CMD_BENCH_H
#define CMD_BENCH_H

int cli_bench(int argc, char **argv);

#endif
