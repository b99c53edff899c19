/* Monte Carlo census of born-dead networks (`gradtrace census`); not the dead-unit census
 * of a training run (census.csv), which is census.h.
 * How often a freshly initialised network is constant on a probe set because some hidden
 * layer outputs 0 for every probe input (Lu, Shin, Su & Karniadakis 2020). No training,
 * no files: many small networks per second, split over threads, with results that depend
 * on the seed alone. */
#ifndef GT_CENSUS_MC_H
#define GT_CENSUS_MC_H

#include <stdint.h>

#include "act.h"
#include "common.h"
#include "init.h"

#define BD_MAX_LIST 64          /* entries of --widths / --depths */
#define BD_MAX_WIDTH 4096
#define BD_MAX_DEPTH 100000
#define BD_MAX_INPUT_DIM 100000
#define BD_MAX_PROBES 1000000   /* probe inputs (pm1: 2^D, so D <= 19) */
#define BD_MAX_THREADS 256

typedef enum {
    BD_INPUTS_PM1,      /* all 2^D corners of {-1, 1}^D */
    BD_INPUTS_GAUSSIAN, /* n rows ~ N(0, I_D) */
    BD_INPUTS_UNIFORM,  /* n rows ~ U[-1, 1]^D */
} BdInputKind;

typedef struct {
    long widths[BD_MAX_LIST];
    int n_widths;
    long depths[BD_MAX_LIST];   /* hidden layers */
    int n_depths;
    long trials;                /* networks per width */
    long input_dim;
    int inputs;                 /* BdInputKind */
    long n_inputs;              /* gaussian:N, uniform:N (pm1: 2^input_dim) */
    int bias;                   /* 0: none; 1: b ~ N(0, sigma_b2), or rai's own (rai needs 1) */
    double sigma_b2;
    int init;                   /* InitKind */
    double sigma_w2;            /* gaussian init */
    int activation;             /* ActKind */
    double alpha;               /* leaky_relu slope */
    uint64_t seed;
    int threads;
    int per_layer;              /* also count dead units in every layer (no early exit) */
} BdSpec;

typedef struct {
    long width, depth, trials, born_dead;
    double fraction, ci_low, ci_high; /* born_dead / trials and its Wilson 95% interval */
    double exact;                     /* closed form, NAN where none applies */
} BdRow;

typedef struct {
    long width, layer, trials;
    double dead_fraction; /* mean over trials of the layer's fraction of dead units */
    double exact;         /* closed form, NAN where none applies */
} BdLayerRow;

typedef struct {
    BdRow *rows;          /* n_widths x n_depths, in the order given */
    size_t n_rows;
    BdLayerRow *layers;   /* per_layer: n_widths x max depth, layers 1.. */
    size_t n_layers;
    size_t n_probes;
} BdResult;

/* Defaults of `gradtrace census` (the CLI's help text repeats them). */
void bd_spec_init(BdSpec *s);

/* "2,3,4" into out[0..*n): integers in [min, max], at most BD_MAX_LIST; errors name opt. */
/* The largest of n values (0 for n = 0): the deepest depth, the widest width. */
long bd_list_max(const long *v, int n);
int bd_parse_list(const char *text, const char *opt, long min, long max, long *out, int *n,
                  GtErr *e);
/* "pm1", "gaussian:N" or "uniform:N" into s->inputs and s->n_inputs. */
int bd_parse_inputs(const char *text, BdSpec *s, GtErr *e);
int bd_validate(const BdSpec *s, GtErr *e);

/* Probe inputs: a malloc'd n x input_dim row-major matrix, a function of the seed alone
 * (its own stream), so every trial and thread sees the same set. */
int bd_make_inputs(const BdSpec *s, double **X, size_t *n, GtErr *e);

/* The Monte Carlo. Each trial draws one network of the largest depth from its own stream,
 * keyed by (seed, width, trial); the network of depth L is its first L hidden layers. */
int bd_run(const BdSpec *s, BdResult *res, GtErr *e);
void bd_result_free(BdResult *res);

/* Wilson score 95% interval for k successes in n trials (n > 0). */
void bd_wilson(long k, long n, double *lo, double *hi);
/* 1 - (1 - 2^-width)^depth: P(born dead) at a single input for relu with symmetric
 * continuous weights (and biases), computed without cancellation. */
double bd_exact_single(long width, long depth);
/* 1 when bd_exact_single applies to s with probe set X (n x input_dim); see README. */
int bd_exact_applies(const BdSpec *s, const double *X, size_t n);

#endif
