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

/* The options that are about this invocation, not the run's configuration (not experiment
 * file keys); config_print_help lists the others. */
static void print_cli_help(FILE *f)
{
    fprintf(f, "\nCommand-line only:\n"
               "  %-26s progress on stderr: auto (a line redrawn in place on a terminal,\n"
               "  %-26s nothing otherwise), lines (a line per logged step), off [auto]\n"
               "  %-26s --progress off\n"
               "  %-26s continue the run in DIR from its checkpoint (--checkpoint-every), with\n"
               "  %-26s the options it was started with (others given must agree)\n",
            "--progress WHEN", "", "--quiet", "--resume DIR", "");
}

/* The value of option `name` at argv[*i] ("--name V" or "--name=V"), or NULL when argv[*i]
 * is another option; *missing when the value is missing (the end, or another option). */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n]) return NULL;
    if (*i + 1 == argc || strncmp(argv[*i + 1], "--", 2) == 0) { /* another option */
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

/* Takes the command-line-only options out of argv (in place); the rest is the
 * configuration's. */
static int take_cli_options(int *argc, char **argv, RunOpts *o, const char **resume, GtErr *e)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        if (strcmp(a, "--quiet") == 0) {
            o->progress = PROGRESS_OFF;
            continue;
        }
        if ((v = opt_value(*argc, argv, &i, "--resume", &missing)) || missing) {
            if (missing) return gt_fail(e, GT_EINPUT, "--resume: missing value (a run directory)");
            *resume = v;
            continue;
        }
        if (!(v = opt_value(*argc, argv, &i, "--progress", &missing))) {
            if (missing) return gt_fail(e, GT_EINPUT, "--progress: missing value");
            argv[out++] = argv[i];
            continue;
        }
        if (strcmp(v, "auto") == 0) o->progress = PROGRESS_AUTO;
        else if (strcmp(v, "lines") == 0) o->progress = PROGRESS_LINES;
        else if (strcmp(v, "off") == 0) o->progress = PROGRESS_OFF;
        else return gt_fail(e, GT_EINPUT, "--progress %s: expected one of auto, lines, off", v);
    }
    *argc = out;
    argv[out] = NULL;
    return GT_OK;
}

int cmd_run(int argc, char **argv)
{
    Config c;
    GtErr e = {0};
    RunOpts o = {.progress = PROGRESS_AUTO};
    const char *resume = NULL;
    config_init(&c);
    int rc = take_cli_options(&argc, argv, &o, &resume, &e);
    /* --resume DIR: the checkpoint's configuration, then any options given on top (they must
     * agree with it: run_train compares); --help wins over a missing checkpoint */
    int help = 0;
    for (int i = 1; i < argc; i++)
        help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (!rc && resume && !help) {
        rc = run_checkpoint_config(&c, resume, &e);
        o.resume = 1;
    }
    if (!rc) rc = config_parse_args(&c, argc, argv, &e);
    if (!rc && resume && strcmp(c.out, resume) != 0)
        rc = gt_fail(&e, GT_EINPUT, "--out %s with --resume %s: a resumed run stays in its own "
                     "directory; drop --out", c.out, resume);
    if (rc == -1) {
        config_print_help(stdout);
        print_cli_help(stdout);
        config_free(&c);
        return 0;
    }
    /* SIGINT/SIGTERM end the run at the next step boundary with its traces kept */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    RunResult res = {0};
    if (!rc) rc = run_train(&c, &o, &g_stop, &res, &e);
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
