/* The gradtrace command line: parses, calls the library, prints one line per error.
 * Exit status: 0 done (a diverged run is a result), 2 bad usage/config/data/output, 1 other. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "run.h"

static void usage(FILE *f)
{
    fprintf(f, "gradtrace %s: measure why deep networks stop learning\n\n"
               "usage: gradtrace COMMAND [options]\n\n"
               "commands:\n"
               "  run        train one network and write per-layer traces (gradtrace run --help)\n"
               "  help       this text\n\n"
               "  --version  print the version\n",
            GT_VERSION);
}

static int cmd_run(int argc, char **argv)
{
    Config c;
    GtErr e = {0};
    config_init(&c);
    int rc = config_parse_args(&c, argc, argv, &e);
    if (rc == -1) {
        config_print_help(stdout);
        config_free(&c);
        return 0;
    }
    RunResult res = {0};
    if (!rc) rc = run_train(&c, &res, &e);
    if (rc) fprintf(stderr, "gradtrace run: %s\n", e.msg);
    else if (strcmp(res.status, "complete") != 0)
        fprintf(stderr, "gradtrace run: %s after %ld steps (loss or gradients became non-finite); traces kept in %s\n",
                res.status, res.steps_done, c.out);
    config_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("gradtrace %s\n", GT_VERSION);
        return 0;
    }
    fprintf(stderr, "gradtrace: unknown command '%s' (commands: run, help)\n", cmd);
    return 2;
}
