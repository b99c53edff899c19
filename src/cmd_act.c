/* `gradtrace activations`: every activation of the table and its derivative on a grid of
 * x, as CSV, straight from act_get(k)->f / ->df, so figures show what training uses (the
 * kink convention at 0 included) rather than a plotting program's own formulas. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "cmd.h"
#include "cmd_args.h"
#include "common.h"

#define ACT_MAX_POINTS 10000000L

static void help(FILE *f)
{
    fprintf(f,
            "usage: gradtrace activations [--option VALUE ...]\n\n"
            "Prints f(x) and f'(x) of every activation on N evenly spaced x from --from to --to\n"
            "(both included), as CSV: activation,x,f,df. The values come from the activation\n"
            "table training uses, with its convention at relu's kink.\n\n"
            "  --from X               first x [-5]\n"
            "  --to X                 last x [5]\n"
            "  --points N             number of x values, 2..%ld; an odd N on a symmetric\n"
            "                         range includes x = 0 exactly [1001]\n"
            "  --alpha A              leaky_relu slope for x < 0 [0.01]\n"
            "  --relu-grad-at-zero V  f'(0) of relu and leaky_relu [0]\n\n"
            "activations: %s\n"
            "Exit status: 0 done, 2 bad option.\n",
            ACT_MAX_POINTS, act_valid_names());
}

enum { O_FROM = 256, O_TO, O_POINTS, O_ALPHA, O_G0 };

static const struct option LONGOPTS[] = {
    {"from", required_argument, NULL, O_FROM},
    {"to", required_argument, NULL, O_TO},
    {"points", required_argument, NULL, O_POINTS},
    {"alpha", required_argument, NULL, O_ALPHA},
    {"relu-grad-at-zero", required_argument, NULL, O_G0},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct {
    double from, to;
    long points;
    ActParams ap;
} ActArgs;

static int set_opt(void *ctx, int c, const char *v, GtErr *e)
{
    ActArgs *a = ctx;
    switch (c) {
    case O_FROM: return cmd_parse_real("--from", v, &a->from, e);
    case O_TO: return cmd_parse_real("--to", v, &a->to, e);
    case O_ALPHA: return cmd_parse_real("--alpha", v, &a->ap.alpha, e);
    case O_G0: return cmd_parse_real("--relu-grad-at-zero", v, &a->ap.relu_grad_at_zero, e);
    case O_POINTS: {
        /* not cmd_parse_long: --points has always taken " 101" (strtol's leading space) */
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (end == v || *end || errno || n < 2 || n > ACT_MAX_POINTS)
            return gt_fail(e, GT_EINPUT, "--points %s: expected an integer from 2 to %ld", v,
                           ACT_MAX_POINTS);
        a->points = n;
        return GT_OK;
    }
    }
    return gt_fail(e, GT_ESYS, "option %d: not in the activations table", c);
}

/* Returns GT_OK, an error, or CMD_HELP. */
static int parse_args(ActArgs *a, int argc, char **argv, GtErr *e)
{
    int rc = cmd_getopt(argc, argv, LONGOPTS, "activations", "--points 101", set_opt, a, e);
    if (!rc && !(a->from < a->to))
        rc = gt_fail(e, GT_EINPUT, "--from %g --to %g: --from must be below --to", a->from, a->to);
    return rc;
}

int cmd_act(int argc, char **argv)
{
    ActArgs a = {.from = -5, .to = 5, .points = 1001, .ap = {.alpha = 0.01, .relu_grad_at_zero = 0}};
    GtErr e = {0};
    int rc = parse_args(&a, argc, argv, &e);
    if (rc == CMD_HELP) {
        help(stdout);
        return 0;
    }
    if (rc) {
        fprintf(stderr, "gradtrace activations: %s\n", e.msg);
        return rc;
    }
    printf("activation,x,f,df\n");
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *f = act_get((ActKind)k);
        for (long i = 0; i < a.points; i++) {
            /* from + span*i/(n-1) rather than a running sum: no drift, and the midpoint of a
             * symmetric range is exactly 0 (where relu's kink convention shows) */
            double x = i + 1 == a.points ? a.to
                                         : a.from + (a.to - a.from) * (double)i / (double)(a.points - 1);
            printf("%s,%.17g,%.17g,%.17g\n", f->name, x, f->f(x, &a.ap), f->df(x, &a.ap));
        }
    }
    return cmd_flush_stdout("activations");
}
