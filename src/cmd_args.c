/* Option parsing shared by the getopt_long subcommands (see cmd_args.h). Not a subcommand:
 * main.c's table names each command's function. */
#include "cmd_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "census_mc.h"
#include "init.h"
#include "suggest.h"

int cmd_parse_long(const char *opt, const char *v, long min, long max, long *out, GtErr *e)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    /* strtol would skip a leading space: " 5" is refused as a typo, not read as 5 */
    if (end == v || *end || errno || x < min || x > max || *v == ' ')
        return gt_fail(e, GT_EINPUT, "%s %s: expected an integer from %ld to %ld", opt, v, min,
                       max);
    *out = x;
    return GT_OK;
}

int cmd_parse_real(const char *opt, const char *v, double *out, GtErr *e)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x))
        return gt_fail(e, GT_EINPUT, "%s %s: expected a finite number", opt, v);
    *out = x;
    return GT_OK;
}

int cmd_parse_init(const char *v, int *init, GtErr *e)
{
    int k = init_lookup(v);
    if (k < 0) {
        char hint[256];
        return gt_fail(e, GT_EINPUT, "--init %s: expected one of %s%s", v, init_valid_names(),
                       suggest_among(v, init_valid_names(), hint, sizeof hint));
    }
    *init = k;
    return GT_OK;
}

int cmd_parse_act(const char *v, int *act, GtErr *e)
{
    const Act *a = act_lookup(v);
    if (!a) {
        char hint[256];
        return gt_fail(e, GT_EINPUT, "--activation %s: expected one of %s%s", v,
                       act_valid_names(), suggest_among(v, act_valid_names(), hint, sizeof hint));
    }
    *act = (int)a->kind;
    return GT_OK;
}

int cmd_mc_option(const CmdMcArgs *a, int c, const char *v, GtErr *e)
{
    long n;
    int rc;
    switch (c) {
    case CMD_O_WIDTHS:
        return bd_parse_list(v, "--widths", 1, a->max_width, a->widths, a->n_widths, e);
    case CMD_O_DEPTHS:
        return bd_parse_list(v, "--depths", 1, a->max_depth, a->depths, a->n_depths, e);
    case CMD_O_TRIALS: return cmd_parse_long("--trials", v, 1, a->max_trials, a->trials, e);
    case CMD_O_ACTIVATION: return cmd_parse_act(v, a->activation, e);
    case CMD_O_ALPHA: return cmd_parse_real("--alpha", v, a->alpha, e);
    case CMD_O_INIT: return cmd_parse_init(v, a->init, e);
    case CMD_O_SIGMA_W2: return cmd_parse_real("--sigma-w2", v, a->sigma_w2, e);
    case CMD_O_SIGMA_B2: return cmd_parse_real("--sigma-b2", v, a->sigma_b2, e);
    case CMD_O_SEED:
        rc = cmd_parse_long("--seed", v, 0, 9007199254740991L, &n, e);
        if (!rc) *a->seed = (uint64_t)n;
        return rc;
    case CMD_O_THREADS:
        rc = cmd_parse_long("--threads", v, 1, a->max_threads, &n, e);
        if (!rc) *a->threads = (int)n;
        return rc;
    case CMD_O_CSV: *a->csv = 1; return GT_OK;
    }
    return gt_fail(e, GT_ESYS, "option %d: not a shared option", c);
}

int cmd_flush_stdout(const char *cmd)
{
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "gradtrace %s: cannot write the output: %s\n", cmd, strerror(errno));
        return GT_ESYS;
    }
    return GT_OK;
}

int cmd_getopt(int argc, char **argv, const struct option *longopts, const char *cmd,
               const char *example, CmdOptFn fn, void *ctx, GtErr *e)
{
    opterr = 0; /* our own one-line messages */
    /* 0, not 1: glibc then drops what it kept of a previous argv (a fuzzer parses many
     * times in one process; the CLI parses once, where both are the same) */
    optind = 0;
    int c, rc = GT_OK;
    while (!rc && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        const char *opt = argv[optind - 1];
        switch (c) {
        case 'h': return CMD_HELP;
        case ':': rc = gt_fail(e, GT_EINPUT, "%s: missing value", opt); break;
        case '?': {
            char typo[SUGGEST_NAME] = "", hint[256];
            if (!strncmp(opt, "--", 2))
                snprintf(typo, sizeof typo, "%.*s", (int)strcspn(opt + 2, "="), opt + 2);
            Suggest sg;
            suggest_begin(&sg, typo);
            for (const struct option *o = longopts; o->name; o++) suggest_offer(&sg, o->name);
            rc = gt_fail(e, GT_EINPUT, "%.80s: unknown option%s (see gradtrace %s --help)", opt,
                         suggest_end(&sg, "--", hint, sizeof hint), cmd);
            break;
        }
        default: rc = fn(ctx, c, optarg, e); break;
        }
    }
    if (!rc && optind < argc)
        rc = gt_fail(e, GT_EINPUT, "%s: unexpected argument (options look like %s)",
                     argv[optind], example);
    return rc;
}
