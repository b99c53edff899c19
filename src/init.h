/* Weight initialisers. Weights are drawn in double from the init stream and then
 * stored in the run's dtype, so float32 and float64 runs of one seed start alike. */
#ifndef GT_INIT_H
#define GT_INIT_H

#include "common.h"
#include "rng.h"

typedef enum {
    INIT_STANDARD,       /* U[-1/sqrt(fan_in), 1/sqrt(fan_in)] (Glorot & Bengio 2010's "standard") */
    INIT_XAVIER_UNIFORM, /* U[-a, a], a = sqrt(6/(fan_in+fan_out)) */
    INIT_XAVIER_NORMAL,  /* N(0, 2/(fan_in+fan_out)) */
    INIT_HE_UNIFORM,     /* U[-a, a], a = sqrt(6/fan_in) */
    INIT_HE_NORMAL,      /* N(0, 2/fan_in) */
    INIT_LECUN_NORMAL,   /* N(0, 1/fan_in) */
    INIT_ORTHOGONAL,     /* orthonormal rows or columns (QR of a Gaussian matrix, LAPACKE) */
    INIT_GAUSSIAN,       /* N(0, sigma_w2/fan_in) */
    INIT_RAI,            /* randomized asymmetric init (Lu et al. 2020) — theory issue */
    INIT_COUNT
} InitKind;

const char *init_name(InitKind k);
int init_lookup(const char *name); /* InitKind, or -1 when unknown */
const char *init_valid_names(void);

/* Fills W (fan_in x fan_out, row-major: z = a.W + b) for kind k. */
int init_weights(InitKind k, double *W, size_t fan_in, size_t fan_out, double sigma_w2,
                 Rng *r, GtErr *e);

#endif
