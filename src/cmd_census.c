/* `gradtrace census`: the Monte Carlo census of born-dead networks over fresh
 * initialisations (census_mc.h), printed as CSV (--csv) or as a table. Not the dead-unit
 * census of a training run (census.csv of `gradtrace run`), which is census.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census_mc.h"
#include "cmd.h"
#include "cmd_args.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: gradtrace census [--option VALUE ...]\n\n"
            "Draws fresh networks (no training) and counts those born dead: some hidden layer\n"
            "outputs 0 for every probe input, so the network is constant on the probe set.\n\n"
            "  --widths LIST        units per hidden layer [2,3,4,5,10]\n"
            "  --depths LIST        hidden layers [10,20,30,40,50]\n"
            "  --trials N           networks per width; a depth-L network is the first L\n"
            "                       hidden layers of one of the deepest [10000]\n"
            "  --input-dim D        input dimension [1]\n"
            "  --inputs SPEC        probe inputs, fixed by the seed: pm1 (all 2^D corners of\n"
            "                       {-1,1}^D), gaussian:N (N(0,I)), uniform:N (U[-1,1]^D)\n"
            "                       [gaussian:1]\n"
            "  --bias on|off        biases ~ N(0, sigma-b2); rai needs on (draws its own)\n"
            "                       [off]\n"
            "  --sigma-b2 S         bias variance with --bias on [1]\n"
            "  --init NAME          %s [he-normal]\n"
            "  --sigma-w2 S         gaussian init: W ~ N(0, S/fan_in) [1]\n"
            "  --activation NAME    %s [relu]\n"
            "  --alpha A            leaky_relu slope [0.01]\n"
            "  --seed S             seeds the probe inputs and every network [1]\n"
            "  --threads N          worker threads; the result does not depend on it [1]\n"
            "  --per-layer          print each layer's mean dead-unit fraction instead\n"
            "  --csv                CSV on stdout instead of a table\n\n"
            "CSV columns: width,depth,trials,born_dead,fraction,ci_low,ci_high,exact (Wilson\n"
            "95%% interval; exact = 1-(1-2^-width)^depth where it holds: relu, not rai, one\n"
            "probe input, or without biases inputs on one ray from 0). --per-layer:\n"
            "width,layer,trials,dead_fraction,exact.\n"
            "Exit status: 0 done, 2 bad option, 1 other failure.\n",
            init_valid_names(), act_valid_names());
}

enum { O_INPUT_DIM = CMD_O_OWN, O_INPUTS, O_BIAS, O_PER_LAYER };

static const struct option LONGOPTS[] = {
    CMD_MC_OPTIONS,
    {"input-dim", required_argument, NULL, O_INPUT_DIM},
    {"inputs", required_argument, NULL, O_INPUTS},
    {"bias", required_argument, NULL, O_BIAS},
    {"per-layer", no_argument, NULL, O_PER_LAYER},
    {NULL, 0, NULL, 0},
};

typedef struct {
    BdSpec *s;
    CmdMcArgs mc;
} CensusArgs;

static int set_opt(void *ctx, int c, const char *v, GtErr *e)
{
    CensusArgs *a = ctx;
    BdSpec *s = a->s;
    switch (c) {
    case O_INPUT_DIM:
        return cmd_parse_long("--input-dim", v, 1, BD_MAX_INPUT_DIM, &s->input_dim, e);
    case O_INPUTS: return bd_parse_inputs(v, s, e);
    case O_BIAS:
        if (strcmp(v, "on") == 0) s->bias = 1;
        else if (strcmp(v, "off") == 0) s->bias = 0;
        else return gt_fail(e, GT_EINPUT, "--bias %s: expected on or off", v);
        return GT_OK;
    case O_PER_LAYER: s->per_layer = 1; return GT_OK;
    }
    return cmd_mc_option(&a->mc, c, v, e);
}

/* Returns GT_OK, an error, or CMD_HELP. */
static int parse_args(BdSpec *s, int *csv, int argc, char **argv, GtErr *e)
{
    CensusArgs a = {s, {CMD_MC_FIELDS(s, csv), .max_width = BD_MAX_WIDTH,
                        .max_depth = BD_MAX_DEPTH, .max_trials = 1000000000000L,
                        .max_threads = BD_MAX_THREADS}};
    int rc = cmd_getopt(argc, argv, LONGOPTS, "census", "--trials 1000", set_opt, &a, e);
    return rc ? rc : bd_validate(s, e);
}

static void real_field(double x)
{
    if (isnan(x)) return; /* empty: no closed form */
    printf("%.17g", x);
}

static void print_csv(const BdSpec *s, const BdResult *r)
{
    if (s->per_layer) {
        printf("width,layer,trials,dead_fraction,exact\n");
        for (size_t i = 0; i < r->n_layers; i++) {
            const BdLayerRow *l = &r->layers[i];
            printf("%ld,%ld,%ld,%.17g,", l->width, l->layer, l->trials, l->dead_fraction);
            real_field(l->exact);
            putchar('\n');
        }
        return;
    }
    printf("width,depth,trials,born_dead,fraction,ci_low,ci_high,exact\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const BdRow *w = &r->rows[i];
        printf("%ld,%ld,%ld,%ld,%.17g,%.17g,%.17g,", w->width, w->depth, w->trials,
               w->born_dead, w->fraction, w->ci_low, w->ci_high);
        real_field(w->exact);
        putchar('\n');
    }
}

static void print_table(const BdSpec *s, const BdResult *r, double secs)
{
    char inputs[64];
    if (s->inputs == BD_INPUTS_PM1) snprintf(inputs, sizeof inputs, "pm1");
    else snprintf(inputs, sizeof inputs, "%s:%ld",
                  s->inputs == BD_INPUTS_GAUSSIAN ? "gaussian" : "uniform", s->n_inputs);
    printf("born-dead census: %s, %s, %s, %s (input dim %ld, %zu probe%s), %ld trials, "
           "seed %llu\n\n",
           act_get((ActKind)s->activation)->name, init_name((InitKind)s->init),
           s->bias ? "biases" : "no biases", inputs, s->input_dim, r->n_probes,
           r->n_probes == 1 ? "" : "s", s->trials, (unsigned long long)s->seed);
    if (s->per_layer) {
        printf("%6s %6s %14s %9s\n", "width", "layer", "dead_fraction", "exact");
        for (size_t i = 0; i < r->n_layers; i++) {
            const BdLayerRow *l = &r->layers[i];
            printf("%6ld %6ld %14.4f ", l->width, l->layer, l->dead_fraction);
            if (isnan(l->exact)) printf("%9s\n", "-");
            else printf("%9.4f\n", l->exact);
        }
    } else {
        printf("%6s %6s %10s %10s %9s  %-18s %9s\n", "width", "depth", "trials", "born_dead",
               "fraction", "95% CI (Wilson)", "exact");
        for (size_t i = 0; i < r->n_rows; i++) {
            const BdRow *w = &r->rows[i];
            char ci[40];
            snprintf(ci, sizeof ci, "[%.4f, %.4f]", w->ci_low, w->ci_high);
            printf("%6ld %6ld %10ld %10ld %9.4f  %-18s ", w->width, w->depth, w->trials,
                   w->born_dead, w->fraction, ci);
            if (isnan(w->exact)) printf("%9s\n", "-");
            else printf("%9.4f\n", w->exact);
        }
    }
    double nets = (double)s->trials * (double)s->n_widths;
    printf("\n%.0f networks in %.2f s (%.0f per second, %d thread%s)\n", nets, secs,
           secs > 0 ? nets / secs : 0.0, s->threads, s->threads == 1 ? "" : "s");
}

int cmd_census(int argc, char **argv)
{
    BdSpec s;
    bd_spec_init(&s);
    int csv = 0;
    GtErr e = {0};
    int rc = parse_args(&s, &csv, argc, argv, &e);
    if (rc == CMD_HELP) {
        help(stdout);
        return 0;
    }
    BdResult res = {0};
    double t0 = gt_now();
    if (!rc) rc = bd_run(&s, &res, &e);
    double secs = gt_now() - t0;
    if (rc) {
        fprintf(stderr, "gradtrace census: %s\n", e.msg);
        return rc;
    }
    if (csv) print_csv(&s, &res);
    else print_table(&s, &res, secs);
    bd_result_free(&res);
    return cmd_flush_stdout("census");
}
