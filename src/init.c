/* Weight initialisers: the scale rules of Glorot, He and LeCun, Haar-orthogonal matrices
 * (QR of a Gaussian matrix through LAPACKE), the mean-field N(0, sigma_w2/fan_in) and
 * randomized asymmetric initialisation (rai, weights and biases together: init_layer).
 * Draws come only from the Rng passed in, in a fixed order, so one seed gives one W. */
#include "init.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by InitKind; the CLI and experiment files use these spellings. */
static const char *const names[INIT_COUNT] = {
    [INIT_STANDARD] = "standard",         [INIT_XAVIER_UNIFORM] = "xavier-uniform",
    [INIT_XAVIER_NORMAL] = "xavier-normal", [INIT_HE_UNIFORM] = "he-uniform",
    [INIT_HE_NORMAL] = "he-normal",       [INIT_LECUN_NORMAL] = "lecun-normal",
    [INIT_ORTHOGONAL] = "orthogonal",     [INIT_GAUSSIAN] = "gaussian",
    [INIT_RAI] = "rai",
};

const char *init_name(InitKind k)
{
    return (unsigned)k < INIT_COUNT ? names[k] : "?";
}

int init_lookup(const char *name)
{
    if (!name)
        return -1;
    for (int k = 0; k < INIT_COUNT; k++)
        if (strcmp(name, names[k]) == 0)
            return k;
    /* PyTorch's and Keras's names for the same initialisers */
    static const struct { const char *alias; InitKind k; } aliases[] = {
        {"kaiming-normal", INIT_HE_NORMAL},    {"kaiming-uniform", INIT_HE_UNIFORM},
        {"glorot-normal", INIT_XAVIER_NORMAL}, {"glorot-uniform", INIT_XAVIER_UNIFORM},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].alias) == 0)
            return (int)aliases[i].k;
    return -1;
}

const char *init_valid_names(void)
{
    return "standard, xavier-uniform, xavier-normal, he-uniform, he-normal, lecun-normal, "
           "orthogonal, gaussian, rai";
}

static void fill_uniform(double *W, size_t n, double a, Rng *r)
{
    for (size_t i = 0; i < n; i++)
        W[i] = a * (2.0 * rng_uniform(r) - 1.0);
}

static void fill_normal(double *W, size_t n, double sd, Rng *r)
{
    for (size_t i = 0; i < n; i++)
        W[i] = sd * rng_normal(r);
}

/* Haar-distributed: Q of A = QR alone is not Haar (LAPACK's Householder sign convention
 * biases it); fixing sign(diag R) > 0 makes the factorisation unique and Q Haar
 * (Mezzadri 2007). Q is m x k with m = max(fan_in, fan_out), k = min; W is Q itself when
 * fan_in >= fan_out (orthonormal columns) and Q^T otherwise (orthonormal rows). */
static int fill_orthogonal(double *W, size_t fan_in, size_t fan_out, Rng *r, GtErr *e)
{
    size_t m = fan_in >= fan_out ? fan_in : fan_out;
    size_t k = fan_in >= fan_out ? fan_out : fan_in;
    if (m > (size_t)INT32_MAX)
        return gt_fail(e, GT_EINPUT,
                       "--init orthogonal: layer of %zu units is too large for LAPACK", m);
    lapack_int lm = (lapack_int)m, lk = (lapack_int)k;

    double *A = malloc(m * k * sizeof *A); /* m x k, column-major: LAPACK's native layout */
    double *tau = malloc(k * sizeof *tau);
    double *sgn = malloc(k * sizeof *sgn); /* sign(R_jj): dorgqr overwrites R */
    int rc = GT_OK;
    if (!A || !tau || !sgn) {
        rc = gt_fail(e, GT_ESYS, "--init orthogonal: out of memory for a %zux%zu matrix", m, k);
        goto out;
    }
    for (size_t i = 0; i < m * k; i++)
        A[i] = rng_normal(r);

    lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, lm, lk, A, lm, tau);
    if (info != 0) {
        rc = gt_fail(e, GT_ESYS, "--init orthogonal: LAPACKE_dgeqrf failed (info %d)", (int)info);
        goto out;
    }
    for (size_t j = 0; j < k; j++)
        sgn[j] = A[j + j * m] < 0.0 ? -1.0 : 1.0;
    info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, lm, lk, lk, A, lm, tau);
    if (info != 0) {
        rc = gt_fail(e, GT_ESYS, "--init orthogonal: LAPACKE_dorgqr failed (info %d)", (int)info);
        goto out;
    }

    for (size_t j = 0; j < k; j++)     /* column j of Q */
        for (size_t i = 0; i < m; i++) { /* row i of Q */
            double q = sgn[j] * A[i + j * m];
            if (fan_in >= fan_out)
                W[i * fan_out + j] = q; /* W = Q: fan_in x fan_out */
            else
                W[j * fan_out + i] = q; /* W = Q^T: row j of W is column j of Q */
        }
out:
    free(A);
    free(tau);
    free(sgn);
    return rc;
}

int init_weights(InitKind k, double *W, size_t fan_in, size_t fan_out, double sigma_w2,
                 Rng *r, GtErr *e)
{
    if (fan_in == 0 || fan_out == 0)
        return gt_fail(e, GT_EINPUT, "init: layer shape %zux%zu has a zero dimension", fan_in,
                       fan_out);
    if (fan_out > SIZE_MAX / sizeof(double) / fan_in)
        return gt_fail(e, GT_EINPUT, "init: layer shape %zux%zu is too large", fan_in, fan_out);
    size_t n = fan_in * fan_out;
    double fi = (double)fan_in, fo = (double)fan_out;

    switch (k) {
    case INIT_STANDARD:
        fill_uniform(W, n, 1.0 / sqrt(fi), r);
        return GT_OK;
    case INIT_XAVIER_UNIFORM:
        fill_uniform(W, n, sqrt(6.0 / (fi + fo)), r);
        return GT_OK;
    case INIT_XAVIER_NORMAL:
        fill_normal(W, n, sqrt(2.0 / (fi + fo)), r);
        return GT_OK;
    case INIT_HE_UNIFORM:
        fill_uniform(W, n, sqrt(6.0 / fi), r);
        return GT_OK;
    case INIT_HE_NORMAL:
        fill_normal(W, n, sqrt(2.0 / fi), r);
        return GT_OK;
    case INIT_LECUN_NORMAL:
        fill_normal(W, n, sqrt(1.0 / fi), r);
        return GT_OK;
    case INIT_ORTHOGONAL:
    case INIT_GAUSSIAN: {
        /* !(x > 0) also rejects NaN. */
        if (!(sigma_w2 > 0.0) || !isfinite(sigma_w2))
            return gt_fail(e, GT_EINPUT, "--sigma-w2 must be a finite number > 0 for --init "
                                         "%s (got %g)", init_name(k), sigma_w2);
        if (k == INIT_GAUSSIAN) {
            fill_normal(W, n, sqrt(sigma_w2 / fi), r);
            return GT_OK;
        }
        /* W = sqrt(sigma_w2) Q (Pennington et al. 2017's gain); 1 leaves Q's bits alone */
        int rc = fill_orthogonal(W, fan_in, fan_out, r, e);
        if (!rc && sigma_w2 != 1.0)
            for (size_t i = 0; i < n; i++) W[i] *= sqrt(sigma_w2);
        return rc;
    }
    case INIT_RAI:
        /* rai draws a unit's weights and bias together; a weights-only rai would replace
         * one weight too often and so be a different initialiser under the paper's name. */
        return gt_fail(e, GT_EINPUT, "--init rai draws weights and biases together: "
                                     "use init_layer, not init_weights");
    case INIT_COUNT:
        break;
    }
    return gt_fail(e, GT_EINPUT, "init: unknown initialiser %d (valid: %s)", (int)k,
                   init_valid_names());
}

/* Lu, Shin, Su & Karniadakis (2020), "Dying ReLU and initialization": every unit gets one
 * positive entry (weight or bias), so a unit fed by non-negative ReLU outputs is far less
 * likely to be off for every input. Unit by unit, so a unit's fan_in + 1 draws are
 * consecutive in the stream. */
static void fill_rai(double *W, double *b, size_t fan_in, size_t fan_out, Rng *r)
{
    double sd = RAI_SIGMA / sqrt((double)fan_in);
    for (size_t j = 0; j < fan_out; j++) {
        for (size_t i = 0; i < fan_in; i++)
            W[i * fan_out + j] = sd * rng_normal(r);
        b[j] = sd * rng_normal(r);
        size_t k = (size_t)rng_below(r, fan_in + 1);
        /* Beta(2,1) has CDF x^2, so sqrt of a uniform is one draw of it; 1 - U lies in
         * (0, 1], so the entry is strictly positive. */
        double beta = sqrt(1.0 - rng_uniform(r));
        if (k < fan_in)
            W[k * fan_out + j] = beta;
        else
            b[j] = beta;
    }
}

int init_layer(InitKind k, double *W, double *b, size_t fan_in, size_t fan_out,
               double sigma_w2, double sigma_b2, Rng *r, GtErr *e)
{
    if (k == INIT_RAI) {
        if (fan_in == 0 || fan_out == 0)
            return gt_fail(e, GT_EINPUT, "init: layer shape %zux%zu has a zero dimension",
                           fan_in, fan_out);
        if (fan_out > SIZE_MAX / sizeof(double) / fan_in)
            return gt_fail(e, GT_EINPUT, "init: layer shape %zux%zu is too large", fan_in,
                           fan_out);
        if (!b)
            return gt_fail(e, GT_EINPUT, "--init rai draws each unit's bias with its weights: "
                                         "it needs biases");
        fill_rai(W, b, fan_in, fan_out, r);
        return GT_OK;
    }
    /* !(x >= 0) also rejects NaN. */
    if (b && (!(sigma_b2 >= 0.0) || !isfinite(sigma_b2)))
        return gt_fail(e, GT_EINPUT, "--sigma-b2 must be a finite number >= 0 (got %g)",
                       sigma_b2);
    int rc = init_weights(k, W, fan_in, fan_out, sigma_w2, r, e);
    if (rc || !b)
        return rc;
    double sd = sqrt(sigma_b2);
    for (size_t j = 0; j < fan_out; j++)
        b[j] = sigma_b2 > 0 ? sd * rng_normal(r) : 0.0;
    return GT_OK;
}
