/* `gradtrace run`: one training run into a run directory. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "run.h"

int cmd_run(int argc, char **argv)
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
        fprintf(stderr,
                "gradtrace run: %s after %ld steps (loss or gradients became non-finite); "
                "traces kept in %s\n",
                res.status, res.steps_done, c.out);
    config_free(&c);
    return rc;
}
