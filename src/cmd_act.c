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

static int parse_real(const char *opt, const char *v, double *out, GtErr *e)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x))
        return gt_fail(e, GT_EINPUT, "%s %s: expected a finite number", opt, v);
    *out = x;
    return GT_OK;
}

enum { O_FROM = 256, O_TO, O_POINTS, O_ALPHA, O_G0, O_HELP };

static const struct option LONGOPTS[] = {
    {"from", required_argument, NULL, O_FROM},
    {"to", required_argument, NULL, O_TO},
    {"points", required_argument, NULL, O_POINTS},
    {"alpha", required_argument, NULL, O_ALPHA},
    {"relu-grad-at-zero", required_argument, NULL, O_G0},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct {
    double from, to;
    long points;
    ActParams ap;
} ActArgs;

/* Returns GT_OK, an error, or -1 for --help. */
static int parse_args(ActArgs *a, int argc, char **argv, GtErr *e)
{
    opterr = 0; /* our own one-line messages */
    optind = 1;
    int c, rc = GT_OK;
    while (!rc && (c = getopt_long(argc, argv, ":h", LONGOPTS, NULL)) != -1) {
        const char *opt = argv[optind - 1];
        switch (c) {
        case O_FROM: rc = parse_real("--from", optarg, &a->from, e); break;
        case O_TO: rc = parse_real("--to", optarg, &a->to, e); break;
        case O_ALPHA: rc = parse_real("--alpha", optarg, &a->ap.alpha, e); break;
        case O_G0: rc = parse_real("--relu-grad-at-zero", optarg, &a->ap.relu_grad_at_zero, e); break;
        case O_POINTS: {
            char *end;
            errno = 0;
            long n = strtol(optarg, &end, 10);
            if (end == optarg || *end || errno || n < 2 || n > ACT_MAX_POINTS)
                rc = gt_fail(e, GT_EINPUT, "--points %s: expected an integer from 2 to %ld",
                             optarg, ACT_MAX_POINTS);
            else a->points = n;
            break;
        }
        case 'h':
        case O_HELP: return -1;
        case ':': rc = gt_fail(e, GT_EINPUT, "%s: missing value", opt); break;
        default:
            rc = gt_fail(e, GT_EINPUT, "%s: unknown option (see gradtrace activations --help)",
                         opt);
            break;
        }
    }
    if (!rc && optind < argc)
        rc = gt_fail(e, GT_EINPUT, "%s: unexpected argument (options look like --points 101)",
                     argv[optind]);
    if (!rc && !(a->from < a->to))
        rc = gt_fail(e, GT_EINPUT, "--from %g --to %g: --from must be below --to", a->from, a->to);
    return rc;
}

int cmd_act(int argc, char **argv)
{
    ActArgs a = {.from = -5, .to = 5, .points = 1001, .ap = {.alpha = 0.01, .relu_grad_at_zero = 0}};
    GtErr e = {0};
    int rc = parse_args(&a, argc, argv, &e);
    if (rc < 0) {
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
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gradtrace activations: cannot write the output: %s\n", strerror(errno));
        return GT_ESYS;
    }
    return GT_OK;
}
