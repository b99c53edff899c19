/* The gradtrace command line: dispatches to a subcommand (cmd_*.c).
 * Exit status: 0 done (a diverged run is a result), 2 bad usage/config/data/output, 1 other. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "common.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} COMMANDS[] = {
    {"run", cmd_run, "train one network and write per-layer traces"},
    {"sweep", cmd_sweep, "run an experiment file's grid of runs, resumably, in parallel"},
    {"census", cmd_census, "born-dead Monte Carlo over fresh initialisations"},
    {"spectrum", cmd_spectrum, "Jacobian singular values over fresh initialisations"},
    {"theory", cmd_theory, "mean-field predictions: q*, chi1, depth scale"},
    {"activations", cmd_act, "f and f' of every activation on a grid of x, as CSV"},
    {"plot", cmd_plot, "draw run and sweep directories with gnuplot (script and data kept)"},
};

static void usage(FILE *f)
{
    fprintf(f, "gradtrace %s: measure why deep networks stop learning\n\n"
               "usage: gradtrace COMMAND [options]   (gradtrace COMMAND --help for its options)\n\n"
               "commands:\n",
            GT_VERSION);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "  %-12s %s\n\n  --version  print the version\n", "help", "this text");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (strcmp(cmd, COMMANDS[i].name) == 0) return COMMANDS[i].fn(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("gradtrace %s\n", GT_VERSION);
        return 0;
    }
    fprintf(stderr, "gradtrace: unknown command '%s' (commands:", cmd);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        fprintf(stderr, " %s,", COMMANDS[i].name);
    fprintf(stderr, " help)\n");
    return 2;
}
