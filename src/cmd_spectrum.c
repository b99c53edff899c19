/* `gradtrace spectrum`: singular values of the input-output Jacobian dh_L/dh_1 over fresh
 * initialisations (jacobian.h), their quantiles averaged over trials beside the mean-field
 * prediction, printed as CSV (--csv) or as a table. No training, no files. */
#include <math.h>
#include <stdio.h>

#include <cblas.h>

#include "cmd.h"
#include "cmd_args.h"
#include "jacobian.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: gradtrace spectrum [--option VALUE ...]\n\n"
            "Draws fresh networks (no training) and one Gaussian input x ~ N(0, I) of dimension\n"
            "W per network, and measures the singular values of J = dh_L/dh_1, the last hidden\n"
            "layer's output with respect to the first's (layers 2..L), exactly as log10 at any\n"
            "depth. Per (width, depth): means over trials of log10 of the mean squared singular\n"
            "value and of the 10/50/90%% quantiles, min and max of log10 sigma, beside the\n"
            "mean-field prediction sum_{l=2..L} log10 chi_l (gradtrace theory, q0 = 1).\n\n"
            "  --widths LIST        units per hidden layer, also the input dimension [128]\n"
            "  --depths LIST        hidden layers L; a depth-L network is the first L layers of\n"
            "                       one of the deepest [10,100]\n"
            "  --trials N           networks per width [100]\n"
            "  --activation NAME    %s [tanh]\n"
            "  --alpha A            leaky_relu slope [0.01]\n"
            "  --init NAME          %s [gaussian]\n"
            "  --sigma-w2 S         gaussian: W ~ N(0, S/fan_in); orthogonal: W = sqrt(S) Q; the\n"
            "                       theory column is given for these two inits only [1]\n"
            "  --sigma-b2 S         biases ~ N(0, S) (rai draws its own) [0]\n"
            "  --seed S             seeds every input and network [1]\n"
            "  --threads N          worker threads; the result does not depend on it [1]\n"
            "  --csv                CSV on stdout instead of a table\n\n"
            "CSV columns: width,depth,trials,mean_sq_log10,pooled_sq_log10,theory_log10,\n"
            "q10_log10,q50_log10,q90_log10,min_log10,max_log10. pooled_sq_log10 is log10 of\n"
            "the mean over trials of the mean squared singular value, the estimate of what\n"
            "theory_log10 predicts (the mean of logs, mean_sq_log10, lies below it by Jensen's\n"
            "gap); theory_log10 is empty where it does not apply; quantiles interpolate\n"
            "linearly between order statistics (numpy's default). Singular values that are\n"
            "exactly 0 (rank J is at most the fewest units with f' != 0 in a layer: relu's off\n"
            "units) are -inf; values more than ~15 decades below the largest are at the SVD's\n"
            "rounding floor and only bound the true ones.\n"
            "Exit status: 0 done, 2 bad option, 1 other failure.\n",
            act_valid_names(), init_valid_names());
}

static const struct option LONGOPTS[] = {
    CMD_MC_OPTIONS,
    {NULL, 0, NULL, 0},
};

static int set_opt(void *ctx, int c, const char *v, GtErr *e)
{
    return cmd_mc_option(ctx, c, v, e);
}

/* Returns GT_OK, an error, or CMD_HELP. */
static int parse_args(SpSpec *s, int *csv, int argc, char **argv, GtErr *e)
{
    CmdMcArgs a = {CMD_MC_FIELDS(s, csv), .max_width = BD_MAX_WIDTH, .max_depth = BD_MAX_DEPTH,
                   .max_trials = SP_MAX_TRIALS, .max_threads = SP_MAX_THREADS};
    int rc = cmd_getopt(argc, argv, LONGOPTS, "spectrum", "--trials 100", set_opt, &a, e);
    return rc ? rc : sp_validate(s, e);
}

/* %.17g, with inf and nan spelled as pandas and R read them; NAN (no theory) is empty */
static void field(double x, int empty_nan)
{
    if (isnan(x)) printf(empty_nan ? "" : "nan");
    else if (isinf(x)) printf(x > 0 ? "inf" : "-inf");
    else printf("%.17g", x);
}

static void print_csv(const SpResult *r)
{
    printf("width,depth,trials,mean_sq_log10,pooled_sq_log10,theory_log10,q10_log10,q50_log10,"
           "q90_log10,min_log10,max_log10\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const SpRow *w = &r->rows[i];
        const double v[] = {w->mean_sq_log10, w->pooled_sq_log10, w->theory_log10,
                            w->q10_log10, w->q50_log10, w->q90_log10, w->min_log10,
                            w->max_log10};
        printf("%ld,%ld,%ld", w->width, w->depth, w->trials);
        for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
            putchar(',');
            field(v[k], k == 2);
        }
        putchar('\n');
    }
}

static void print_table(const SpSpec *s, const SpResult *r, double secs)
{
    printf("Jacobian spectrum dh_L/dh_1: %s, %s (sigma_w2 %g, sigma_b2 %g), one N(0, I) input "
           "per network, %ld trials, seed %llu\nmeans over trials of log10 values\n\n",
           act_get((ActKind)s->activation)->name, init_name((InitKind)s->init), s->sigma_w2,
           s->sigma_b2, s->trials, (unsigned long long)s->seed);
    printf("%6s %6s %8s %11s %11s %11s %9s %9s %9s %9s %9s %9s\n", "width", "depth", "trials",
           "mean_sq", "pooled_sq", "theory", "q10", "q50", "q90", "q90-q10", "min", "max");
    for (size_t i = 0; i < r->n_rows; i++) {
        const SpRow *w = &r->rows[i];
        printf("%6ld %6ld %8ld %11.4f %11.4f ", w->width, w->depth, w->trials, w->mean_sq_log10,
               w->pooled_sq_log10);
        if (isnan(w->theory_log10)) printf("%11s", "-");
        else printf("%11.4f", w->theory_log10);
        printf(" %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n", w->q10_log10, w->q50_log10,
               w->q90_log10, w->q90_log10 - w->q10_log10, w->min_log10, w->max_log10);
    }
    double nets = (double)s->trials * (double)s->n_widths;
    printf("\n%.0f networks in %.2f s (%d thread%s)\n", nets, secs, s->threads,
           s->threads == 1 ? "" : "s");
}

int cmd_spectrum(int argc, char **argv)
{
    SpSpec s;
    sp_spec_init(&s);
    int csv = 0;
    GtErr e = {0};
    int rc = parse_args(&s, &csv, argc, argv, &e);
    if (rc == CMD_HELP) {
        help(stdout);
        return 0;
    }
    /* the workers are the threads: BLAS inside each stays single-threaded */
    openblas_set_num_threads(1);
    SpResult res = {0};
    double t0 = gt_now();
    if (!rc) rc = sp_run(&s, &res, &e);
    double secs = gt_now() - t0;
    if (rc) {
        fprintf(stderr, "gradtrace spectrum: %s\n", e.msg);
        return rc;
    }
    if (csv) print_csv(&res);
    else print_table(&s, &res, secs);
    sp_result_free(&res);
    return cmd_flush_stdout("spectrum");
}
