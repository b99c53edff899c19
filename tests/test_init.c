/* Tests for init.c: each random initialiser's first, second and fourth moments against the
 * exact values for its distribution (5 standard errors), bounds of the uniform kinds,
 * orthonormality and Haar sign convention of orthogonal, rai's one Beta(2,1) entry per
 * unit, init_layer's draw order, determinism, errors and names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "testutil.h"

#define FAN_IN 400
#define FAN_OUT 300 /* unequal, so a fan_in/fan_out mix-up changes the variance */

typedef struct {
    InitKind kind;
    double sigma_w2;
    int uniform; /* 1: U[-a, a]; 0: N(0, v) */
    double v;    /* exact variance */
} Case;

/* Returns a malloc'd FAN_IN x FAN_OUT matrix from seed 1, asserting success. */
static double *draw(InitKind k, double sigma_w2, uint64_t seed, size_t fi, size_t fo)
{
    double *W = malloc(fi * fo * sizeof *W);
    assert_non_null(W);
    Rng r;
    rng_seed(&r, seed, RNG_INIT);
    GtErr e = {0};
    int rc = init_weights(k, W, fi, fo, sigma_w2, &r, &e);
    if (rc != GT_OK)
        fail_msg("init %s failed: %s", init_name(k), e.msg);
    return W;
}

static void check_moments(const Case *c)
{
    const size_t n = (size_t)FAN_IN * FAN_OUT;
    double *W = draw(c->kind, c->sigma_w2, 1, FAN_IN, FAN_OUT);
    double a = sqrt(3.0 * c->v); /* half-width when uniform */
    double s1 = 0, s2 = 0, s4 = 0;
    for (size_t i = 0; i < n; i++) {
        double w = W[i];
        if (c->uniform && !(w >= -a && w <= a))
            fail_msg("%s: W[%zu] = %g outside [-%g, %g]", init_name(c->kind), i, w, a, a);
        s1 += w;
        s2 += w * w;
        s4 += w * w * w * w;
    }
    free(W);
    /* Exact raw moments about 0 (the true mean): normal E w^4 = 3v^2, E w^8 = 105v^4;
     * U[-a,a] E w^4 = a^4/5, E w^8 = a^8/9. Standard errors follow from them. */
    double v = c->v;
    double m4 = c->uniform ? pow(a, 4) / 5.0 : 3.0 * v * v;
    double m8 = c->uniform ? pow(a, 8) / 9.0 : 105.0 * v * v * v * v;
    double N = (double)n;
    double mean = s1 / N, var = s2 / N, k4 = s4 / N;
    const char *nm = init_name(c->kind);
    if (fabs(mean) > 5.0 * sqrt(v / N))
        fail_msg("%s: mean %g, want 0 ± %g", nm, mean, 5.0 * sqrt(v / N));
    if (fabs(var - v) > 5.0 * sqrt((m4 - v * v) / N))
        fail_msg("%s: variance %g, want %g ± %g", nm, var, v, 5.0 * sqrt((m4 - v * v) / N));
    /* The 4th moment tells uniform from normal at equal variance (he-uniform/he-normal). */
    if (fabs(k4 - m4) > 5.0 * sqrt((m8 - m4 * m4) / N))
        fail_msg("%s: 4th moment %g, want %g ± %g", nm, k4, m4, 5.0 * sqrt((m8 - m4 * m4) / N));
}

static void test_moments(void **state)
{
    (void)state;
    const double fi = FAN_IN, fo = FAN_OUT;
    const Case cases[] = {
        {INIT_STANDARD, 0, 1, (1.0 / fi) / 3.0},
        {INIT_XAVIER_UNIFORM, 0, 1, (6.0 / (fi + fo)) / 3.0},
        {INIT_XAVIER_NORMAL, 0, 0, 2.0 / (fi + fo)},
        {INIT_HE_UNIFORM, 0, 1, (6.0 / fi) / 3.0},
        {INIT_HE_NORMAL, 0, 0, 2.0 / fi},
        {INIT_LECUN_NORMAL, 0, 0, 1.0 / fi},
        {INIT_GAUSSIAN, 2.5, 0, 2.5 / fi},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_moments(&cases[i]);
}

/* max |G - I| where G = W^T W (cols = 1) or W W^T (cols = 0), W fi x fo row-major. */
static double gram_err(const double *W, size_t fi, size_t fo, int cols)
{
    size_t d = cols ? fo : fi, len = cols ? fi : fo;
    double worst = 0;
    for (size_t p = 0; p < d; p++)
        for (size_t q = 0; q < d; q++) {
            double s = 0;
            for (size_t t = 0; t < len; t++)
                s += cols ? W[t * fo + p] * W[t * fo + q] : W[p * fo + t] * W[q * fo + t];
            double err = fabs(s - (p == q ? 1.0 : 0.0));
            if (err > worst)
                worst = err;
        }
    return worst;
}

static void test_orthogonal(void **state)
{
    (void)state;
    const struct { size_t fi, fo; int cols; } shapes[] = {
        {300, 100, 1}, /* tall: orthonormal columns */
        {200, 200, 1}, /* square: both */
        {200, 200, 0},
        {100, 300, 0}, /* wide: orthonormal rows */
        {1, 5, 0},
        {5, 1, 1},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        double *W = draw(INIT_ORTHOGONAL, 1, 3, shapes[i].fi, shapes[i].fo);
        double err = gram_err(W, shapes[i].fi, shapes[i].fo, shapes[i].cols);
        if (!(err < 1e-12))
            fail_msg("orthogonal %zux%zu: max |Gram - I| = %g", shapes[i].fi, shapes[i].fo, err);
        /* the gain: sigma_w2 = 2 gives sqrt(2) Q, the same Q from the same stream */
        double *G = draw(INIT_ORTHOGONAL, 2, 3, shapes[i].fi, shapes[i].fo);
        for (size_t j = 0; j < shapes[i].fi * shapes[i].fo; j++) assert_true(G[j] == W[j] * sqrt(2.0));
        free(G);
        free(W);
    }
}

/* Without the sign(diag R) fix, LAPACK's Householder QR of a Gaussian matrix gives
 * Q[0][0] < 0 every time; Haar-distributed Q has it positive half the time. Checked on
 * a tall and a wide shape, since they fill W differently. */
static void test_orthogonal_haar_signs(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 11, RNG_INIT);
    const size_t shp[2][2] = {{8, 4}, {4, 8}};
    for (int s = 0; s < 2; s++) {
        int pos = 0, tries = 400;
        double W[32];
        for (int t = 0; t < tries; t++) {
            GtErr e = {0};
            assert_int_equal(init_weights(INIT_ORTHOGONAL, W, shp[s][0], shp[s][1], 1, &r, &e),
                             GT_OK);
            pos += W[0] > 0;
        }
        /* Binomial(400, 1/2): sd 10. */
        if (abs(pos - tries / 2) > 50)
            fail_msg("orthogonal %zux%zu: W[0][0] > 0 in %d of %d draws", shp[s][0], shp[s][1],
                     pos, tries);
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    for (int k = 0; k < INIT_COUNT; k++) {
        if (k == INIT_RAI)
            continue;
        double *a = draw((InitKind)k, 1.5, 42, 30, 20);
        double *b = draw((InitKind)k, 1.5, 42, 30, 20);
        double *c = draw((InitKind)k, 1.5, 43, 30, 20);
        assert_memory_equal(a, b, 30 * 20 * sizeof *a);
        assert_memory_not_equal(a, c, 30 * 20 * sizeof *a);
        free(a);
        free(b);
        free(c);
    }
}

static void test_bad_sigma_w2(void **state)
{
    (void)state;
    const double bad[] = {0.0, -1.0, NAN, INFINITY};
    double W[6];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Rng r;
        rng_seed(&r, 1, RNG_INIT);
        GtErr e = {0};
        assert_int_equal(init_weights(INIT_ORTHOGONAL, W, 2, 3, bad[i], &r, &e), GT_EINPUT);
        assert_non_null(strstr(e.msg, "--init orthogonal"));
        assert_int_equal(init_weights(INIT_GAUSSIAN, W, 2, 3, bad[i], &r, &e), GT_EINPUT);
        assert_int_equal(e.code, GT_EINPUT);
        assert_non_null(strstr(e.msg, "--sigma-w2"));
    }
    /* Other kinds ignore sigma_w2, so a default of 0 must not break them. */
    Rng r;
    rng_seed(&r, 1, RNG_INIT);
    assert_int_equal(init_weights(INIT_HE_NORMAL, W, 2, 3, 0.0, &r, NULL), GT_OK);
}

static void test_other_errors(void **state)
{
    (void)state;
    double W[4];
    Rng r;
    rng_seed(&r, 1, RNG_INIT);
    GtErr e = {0};
    assert_int_equal(init_weights(INIT_HE_NORMAL, W, 0, 4, 0, &r, &e), GT_EINPUT);
    assert_int_equal(init_weights(INIT_ORTHOGONAL, W, 4, 0, 0, &r, &e), GT_EINPUT);
    assert_int_equal(init_weights(INIT_HE_NORMAL, W, SIZE_MAX / 2, 4, 0, &r, &e), GT_EINPUT);
    assert_int_equal(init_weights((InitKind)INIT_COUNT, W, 2, 2, 0, &r, &e), GT_EINPUT);
    /* rai draws weights and biases together: init_weights refuses it, and init_layer
     * needs the bias */
    e = (GtErr){0};
    assert_int_equal(init_weights(INIT_RAI, W, 2, 2, 0, &r, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--init rai"));
    assert_non_null(strstr(e.msg, "init_layer"));
    e = (GtErr){0};
    assert_int_equal(init_layer(INIT_RAI, W, NULL, 2, 2, 0, 0, &r, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--init rai"));
    double b[2];
    assert_int_equal(init_layer(INIT_RAI, W, b, 0, 2, 0, 0, &r, &e), GT_EINPUT);
    assert_int_equal(init_layer(INIT_RAI, W, b, SIZE_MAX / 2, 4, 0, 0, &r, &e), GT_EINPUT);
}

/* init_layer for the other kinds is init_weights, then the biases from the same stream
 * (nothing drawn when sigma_b2 is 0): the draw order existing runs were made with. */
static void test_init_layer_order(void **state)
{
    (void)state;
    enum { FI = 7, FO = 5 };
    double W[FI * FO], W2[FI * FO], b[FO];
    Rng r, q;
    rng_seed(&r, 9, RNG_INIT);
    rng_seed(&q, 9, RNG_INIT);
    assert_int_equal(init_layer(INIT_HE_NORMAL, W, b, FI, FO, 0, 0.3, &r, NULL), GT_OK);
    assert_int_equal(init_weights(INIT_HE_NORMAL, W2, FI, FO, 0, &q, NULL), GT_OK);
    assert_memory_equal(W, W2, sizeof W);
    for (int j = 0; j < FO; j++) assert_true(b[j] == sqrt(0.3) * rng_normal(&q));
    assert_true(rng_u64(&r) == rng_u64(&q));

    rng_seed(&r, 9, RNG_INIT);
    rng_seed(&q, 9, RNG_INIT);
    assert_int_equal(init_layer(INIT_STANDARD, W, b, FI, FO, 0, 0.0, &r, NULL), GT_OK);
    assert_int_equal(init_weights(INIT_STANDARD, W2, FI, FO, 0, &q, NULL), GT_OK);
    assert_memory_equal(W, W2, sizeof W);
    for (int j = 0; j < FO; j++) assert_true(b[j] == 0.0);
    assert_true(rng_u64(&r) == rng_u64(&q)); /* no bias draws */

    rng_seed(&r, 9, RNG_INIT);
    rng_seed(&q, 9, RNG_INIT);
    assert_int_equal(init_layer(INIT_XAVIER_NORMAL, W, NULL, FI, FO, 0, 0.5, &r, NULL), GT_OK);
    assert_int_equal(init_weights(INIT_XAVIER_NORMAL, W2, FI, FO, 0, &q, NULL), GT_OK);
    assert_memory_equal(W, W2, sizeof W);
    assert_true(rng_u64(&r) == rng_u64(&q)); /* b NULL: no bias draws */

    const double bad[] = {-1.0, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        GtErr e = {0};
        assert_int_equal(init_layer(INIT_HE_NORMAL, W, b, FI, FO, 0, bad[i], &r, &e), GT_EINPUT);
        assert_non_null(strstr(e.msg, "--sigma-b2"));
    }
}

/* rai, unit by unit: fan_in weights then the bias ~ N(0, 0.6007^2/fan_in), then one of the
 * fan_in + 1 entries, uniformly chosen, replaced by Beta(2,1). The Gaussian entries are
 * replayed from a copy of the stream; every unit must differ from the replay in exactly
 * one entry, which lies in (0, 1]. Then the moments of both parts and of the choice. */
static void test_rai(void **state)
{
    (void)state;
    enum { FI = 9, FO = 6000 };
    double *W = malloc(FI * FO * sizeof *W), *b = malloc(FO * sizeof *b);
    double *W2 = malloc(FI * FO * sizeof *W2), *b2 = malloc(FO * sizeof *b2);
    assert_non_null(W);
    assert_non_null(b);
    assert_non_null(W2);
    assert_non_null(b2);
    Rng r, q;
    rng_seed(&r, 5, RNG_INIT);
    q = r;
    assert_int_equal(init_layer(INIT_RAI, W, b, FI, FO, 123.0, 456.0, &r, NULL), GT_OK);

    const double sd = RAI_SIGMA / sqrt((double)FI), v = sd * sd;
    double g1 = 0, g2 = 0, g4 = 0, n_g = 0;       /* Gaussian entries */
    double be1 = 0, be2 = 0, below_half = 0;      /* Beta entries */
    long bias_chosen = 0;
    for (int j = 0; j < FO; j++) {
        double col[FI + 1];
        for (int i = 0; i <= FI; i++) col[i] = sd * rng_normal(&q);
        rng_below(&q, FI + 1); /* the choice */
        rng_uniform(&q);       /* the Beta draw */
        int diff = 0, where = -1;
        for (int i = 0; i <= FI; i++) {
            double got = i < FI ? W[i * FO + j] : b[j];
            if (got != col[i]) {
                diff++;
                where = i;
                if (!(got > 0.0 && got <= 1.0))
                    fail_msg("unit %d: replaced entry %d = %g outside (0, 1]", j, i, got);
                be1 += got;
                be2 += got * got;
                below_half += got < 0.5;
            } else {
                g1 += got;
                g2 += got * got;
                g4 += got * got * got * got;
                n_g++;
            }
        }
        if (diff != 1) fail_msg("unit %d: %d entries differ from the Gaussian draws", j, diff);
        bias_chosen += where == FI;
    }
    assert_true(rng_u64(&r) == rng_u64(&q)); /* same stream length as the replay */

    /* Gaussian part: N(0, v), 5 standard errors */
    assert_near(g1 / n_g, 0.0, 5.0 * sqrt(v / n_g));
    assert_near(g2 / n_g, v, 5.0 * sqrt(2.0 * v * v / n_g));
    assert_near(g4 / n_g, 3.0 * v * v, 5.0 * sqrt((105.0 - 9.0) * v * v * v * v / n_g));
    /* Beta(2,1): mean 2/3, E x^2 = 1/2, P(x < 1/2) = 1/4 */
    double N = FO;
    assert_near(be1 / N, 2.0 / 3.0, 5.0 * sqrt((1.0 / 18.0) / N));
    assert_near(be2 / N, 0.5, 5.0 * sqrt((1.0 / 3.0 - 0.25) / N)); /* E x^4 = 1/3 */
    assert_near(below_half / N, 0.25, 5.0 * sqrt(0.25 * 0.75 / N));
    /* the bias is the chosen entry in 1 of fan_in + 1 units */
    double pb = 1.0 / (FI + 1);
    assert_near((double)bias_chosen / N, pb, 5.0 * sqrt(pb * (1 - pb) / N));

    /* reproducible from the seed, different for another */
    rng_seed(&r, 5, RNG_INIT);
    assert_int_equal(init_layer(INIT_RAI, W2, b2, FI, FO, 0, 0, &r, NULL), GT_OK);
    assert_memory_equal(W, W2, FI * FO * sizeof *W);
    assert_memory_equal(b, b2, FO * sizeof *b);
    rng_seed(&r, 6, RNG_INIT);
    assert_int_equal(init_layer(INIT_RAI, W2, b2, FI, FO, 0, 0, &r, NULL), GT_OK);
    assert_memory_not_equal(W, W2, FI * FO * sizeof *W);
    free(W);
    free(b);
    free(W2);
    free(b2);
}

static void test_names(void **state)
{
    (void)state;
    const char *want[INIT_COUNT] = {"standard",   "xavier-uniform", "xavier-normal",
                                    "he-uniform", "he-normal",      "lecun-normal",
                                    "orthogonal", "gaussian",       "rai"};
    for (int k = 0; k < INIT_COUNT; k++) {
        assert_string_equal(init_name((InitKind)k), want[k]);
        assert_int_equal(init_lookup(want[k]), k);
        assert_non_null(strstr(init_valid_names(), want[k]));
    }
    assert_int_equal(init_lookup("he_normal"), -1);
    assert_int_equal(init_lookup("Standard"), -1);
    assert_int_equal(init_lookup(""), -1);
    assert_int_equal(init_lookup("glorot"), -1);
    assert_int_equal(init_lookup(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_orthogonal),
        cmocka_unit_test(test_orthogonal_haar_signs),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_sigma_w2),
        cmocka_unit_test(test_other_errors),
        cmocka_unit_test(test_init_layer_order),
        cmocka_unit_test(test_rai),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("init", tests, NULL, NULL);
}
