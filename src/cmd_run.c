/* `gradtrace run`: one training run into a run directory. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "run.h"

static volatile sig_atomic_t g_stop;

/* The first signal asks for a clean stop at the next step boundary; a second one (the
 * user insisting, or a step that never ends) terminates at once. */
static void on_signal(int sig)
{
    if (g_stop) {
        (void)signal(sig, SIG_DFL); /* cannot fail for SIGINT/SIGTERM */
        (void)raise(sig);
    }
    g_stop = sig;
}

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
    /* SIGINT/SIGTERM end the run at the next step boundary with its traces kept */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    RunResult res = {0};
    if (!rc) rc = run_train(&c, &g_stop, &res, &e);
    if (rc > 128)
        fprintf(stderr, "gradtrace run: interrupted by signal %d after %ld steps; traces so far "
                        "kept in %s (run.json says interrupted)\n", rc - 128, res.steps_done, c.out);
    else if (rc) fprintf(stderr, "gradtrace run: %s\n", e.msg);
    else if (strcmp(res.status, "complete") != 0)
        fprintf(stderr,
                "gradtrace run: %s after %ld steps (loss or gradients became non-finite); "
                "traces kept in %s\n",
                res.status, res.steps_done, c.out);
    config_free(&c);
    return rc;
}
