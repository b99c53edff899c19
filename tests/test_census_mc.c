/* Tests for census_mc.c (the Monte Carlo census of born-dead networks, `gradtrace census`;
 * the dead-unit census of a training run is test_census.c): the Monte Carlo against the
 * closed form 1 - (1 - 2^-N)^L where it holds (and the per-layer dead fraction against its
 * own closed form), Wilson intervals against published values, thread-count invariance,
 * more probes never more born-dead networks, rai against he-normal, and the one-line
 * errors for bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "census_mc.h"
#include "testutil.h"

static void set_list(long *dst, int *n, const long *src, int len)
{
    for (int i = 0; i < len; i++) dst[i] = src[i];
    *n = len;
}
#define WIDTHS(s, ...)                                                                  \
    do {                                                                                \
        const long v_[] = {__VA_ARGS__};                                                \
        set_list((s)->widths, &(s)->n_widths, v_, (int)(sizeof v_ / sizeof *v_));       \
    } while (0)
#define DEPTHS(s, ...)                                                                  \
    do {                                                                                \
        const long v_[] = {__VA_ARGS__};                                                \
        set_list((s)->depths, &(s)->n_depths, v_, (int)(sizeof v_ / sizeof *v_));       \
    } while (0)

static void run_ok(const BdSpec *s, BdResult *r)
{
    GtErr e = {0};
    int rc = bd_run(s, r, &e);
    if (rc != GT_OK) fail_msg("bd_run failed: %s", e.msg);
}

static void test_exact_formula(void **state)
{
    (void)state;
    assert_near(bd_exact_single(1, 1), 0.5, 1e-15);
    assert_near(bd_exact_single(2, 2), 1.0 - 0.75 * 0.75, 1e-15);
    assert_near(bd_exact_single(3, 10), 1.0 - pow(7.0 / 8.0, 10), 1e-14);
    assert_near(bd_exact_single(5, 50), 1.0 - pow(31.0 / 32.0, 50), 1e-14);
    /* 1 - (1 - 2^-60)^3 is 0 when computed naively: the value must keep its digits */
    double q = ldexp(1.0, -60);
    assert_near(bd_exact_single(60, 3) / (3.0 * q), 1.0, 1e-12);
    assert_near(bd_exact_single(4, 0), 0.0, 0.0);
}

/* Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
 * Wilson score method without continuity correction, to the 4 decimals printed there. */
static void test_wilson_published(void **state)
{
    (void)state;
    const struct { long k, n; double lo, hi; } t[] = {
        {81, 263, 0.2553, 0.3662},
        {15, 148, 0.0624, 0.1605},
        {0, 20, 0.0000, 0.1611},
        {1, 29, 0.0061, 0.1718},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        double lo, hi;
        bd_wilson(t[i].k, t[i].n, &lo, &hi);
        assert_near(lo, t[i].lo, 5e-5);
        assert_near(hi, t[i].hi, 5e-5);
    }
    /* the ends are exact, and the interval is symmetric under k -> n - k */
    double lo, hi, lo2, hi2;
    bd_wilson(0, 10, &lo, &hi);
    assert_true(lo == 0.0);
    assert_near(hi, 3.841458820694124 / 13.841458820694124, 1e-12); /* z^2 / (n + z^2) */
    bd_wilson(10, 10, &lo2, &hi2);
    assert_true(hi2 == 1.0);
    assert_near(lo2, 1.0 - hi, 1e-12);
    bd_wilson(4, 20, &lo, &hi);
    bd_wilson(16, 20, &lo2, &hi2);
    assert_near(lo, 1.0 - hi2, 1e-12);
    assert_near(hi, 1.0 - lo2, 1e-12);
}

/* |fraction - exact| within 5 standard errors on every row, and exact inside the 95%
 * Wilson interval on nearly every row (a fixed seed: about 1 row in 20 may miss). */
static void check_against_exact(const BdResult *r, const char *what)
{
    int outside = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        const BdRow *w = &r->rows[i];
        if (isnan(w->exact)) fail_msg("%s: no exact value for width %ld", what, w->width);
        assert_near(w->exact, bd_exact_single(w->width, w->depth), 0.0);
        double se = sqrt(w->exact * (1.0 - w->exact) / (double)w->trials);
        if (!(fabs(w->fraction - w->exact) <= 5.0 * se + 1e-12))
            fail_msg("%s: width %ld depth %ld: fraction %g, exact %g (5 se = %g)", what,
                     w->width, w->depth, w->fraction, w->exact, 5.0 * se);
        outside += w->exact < w->ci_low || w->exact > w->ci_high;
    }
    if (outside > (int)r->n_rows / 4)
        fail_msg("%s: exact outside the 95%% interval on %d of %zu rows", what, outside,
                 r->n_rows);
}

static void test_mc_matches_exact(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 1, 2, 3, 5);
    DEPTHS(&s, 1, 2, 7, 20);
    s.trials = 20000;
    s.input_dim = 3;
    s.inputs = BD_INPUTS_GAUSSIAN;
    s.n_inputs = 1;
    /* the derivation needs symmetric continuous weights only: normal, uniform, Haar */
    const int inits[] = {INIT_HE_NORMAL, INIT_STANDARD, INIT_ORTHOGONAL};
    for (size_t i = 0; i < sizeof inits / sizeof *inits; i++) {
        for (int bias = 0; bias <= 1; bias++) {
            s.init = inits[i];
            s.bias = bias; /* with biases it holds too: z = a.w + b is still symmetric */
            s.trials = inits[i] == INIT_ORTHOGONAL ? 4000 : 20000; /* LAPACK per layer */
            BdResult r;
            run_ok(&s, &r);
            char what[64];
            snprintf(what, sizeof what, "%s, bias %d", init_name((InitKind)s.init), bias);
            check_against_exact(&r, what);
            bd_result_free(&r);
        }
    }
}

/* Per layer: a unit is dead with probability 1/2 given a non-zero input (or a bias), and
 * surely when its layer's input is 0 without biases. */
static void test_per_layer_exact(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 2, 4);
    DEPTHS(&s, 6);
    s.trials = 20000;
    s.input_dim = 2;
    s.per_layer = 1;
    for (int bias = 0; bias <= 1; bias++) {
        s.bias = bias;
        BdResult r;
        run_ok(&s, &r);
        assert_int_equal(r.n_layers, 2 * 6);
        for (size_t i = 0; i < r.n_layers; i++) {
            const BdLayerRow *l = &r.layers[i];
            double want = bias ? 0.5 : 0.5 * (1.0 + bd_exact_single(l->width, l->layer - 1));
            assert_near(l->exact, want, 1e-15);
            /* a net's fraction lies in [0, 1], so its variance is at most 1/4 */
            assert_near(l->dead_fraction, want, 5.0 * 0.5 / sqrt((double)s.trials));
        }
        /* counting dead units must not change the born-dead counts */
        BdSpec t = s;
        t.per_layer = 0;
        BdResult r2;
        run_ok(&t, &r2);
        for (size_t i = 0; i < r.n_rows; i++)
            assert_int_equal(r.rows[i].born_dead, r2.rows[i].born_dead);
        bd_result_free(&r);
        bd_result_free(&r2);
    }
}

static void assert_same(const BdResult *a, const BdResult *b)
{
    assert_int_equal(a->n_rows, b->n_rows);
    assert_int_equal(a->n_layers, b->n_layers);
    assert_memory_equal(a->rows, b->rows, a->n_rows * sizeof *a->rows);
    for (size_t i = 0; i < a->n_layers; i++) {
        assert_int_equal(a->layers[i].layer, b->layers[i].layer);
        assert_true(a->layers[i].dead_fraction == b->layers[i].dead_fraction);
    }
}

static void test_threads_invariant(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 2, 4, 6);
    DEPTHS(&s, 3, 12);
    s.trials = 1001; /* not a multiple of the work block */
    s.input_dim = 3;
    s.inputs = BD_INPUTS_PM1;
    s.bias = 1;
    s.per_layer = 1;
    BdResult r1, r2, r3;
    s.threads = 1;
    run_ok(&s, &r1);
    s.threads = 2;
    run_ok(&s, &r2);
    s.threads = 3;
    run_ok(&s, &r3);
    assert_same(&r1, &r2);
    assert_same(&r1, &r3);
    /* and the seed matters */
    BdResult r4;
    s.seed = 2;
    run_ok(&s, &r4);
    int differ = 0;
    for (size_t i = 0; i < r1.n_rows; i++) differ |= r1.rows[i].born_dead != r4.rows[i].born_dead;
    assert_true(differ);
    bd_result_free(&r1);
    bd_result_free(&r2);
    bd_result_free(&r3);
    bd_result_free(&r4);
}

/* A depth-L network is the first L layers of the deepest one: the rows of a depth do not
 * depend on which other depths were asked for. */
static void test_depths_nested(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 3);
    DEPTHS(&s, 8);
    s.trials = 3000;
    BdResult a, b;
    run_ok(&s, &a);
    DEPTHS(&s, 4, 8, 30);
    run_ok(&s, &b);
    assert_int_equal(a.rows[0].born_dead, b.rows[1].born_dead);
    assert_true(b.rows[0].born_dead <= b.rows[1].born_dead);
    assert_true(b.rows[1].born_dead <= b.rows[2].born_dead);
    bd_result_free(&a);
    bd_result_free(&b);
}

/* gaussian:16 starts with gaussian:1's probe and the networks do not depend on the probe
 * set, so a network dead on the 16 probes is dead on the first: never more born dead. */
static void test_more_inputs_fewer_dead(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 2, 3, 5);
    DEPTHS(&s, 2, 5, 20);
    s.trials = 4000;
    s.input_dim = 3;
    s.n_inputs = 1;
    BdResult one, many;
    run_ok(&s, &one);
    s.n_inputs = 16;
    run_ok(&s, &many);
    int strictly = 0;
    for (size_t i = 0; i < one.n_rows; i++) {
        assert_true(many.rows[i].born_dead <= one.rows[i].born_dead);
        strictly |= many.rows[i].born_dead < one.rows[i].born_dead;
        assert_true(isnan(many.rows[i].exact)); /* 16 directions: no closed form */
    }
    assert_true(strictly);
    bd_result_free(&one);
    bd_result_free(&many);
}

/* Lu et al. (2020): rai's one positive entry per unit keeps narrow deep nets alive. */
static void test_rai_lowers_born_dead(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 3);
    DEPTHS(&s, 20);
    s.trials = 4000;
    s.input_dim = 2;
    s.inputs = BD_INPUTS_UNIFORM;
    s.n_inputs = 10;
    BdResult he_off, he_on, rai;
    run_ok(&s, &he_off);
    s.bias = 1;
    run_ok(&s, &he_on);
    s.init = INIT_RAI;
    run_ok(&s, &rai);
    assert_true(isnan(rai.rows[0].exact));
    assert_true(rai.rows[0].ci_high < he_on.rows[0].ci_low);
    assert_true(rai.rows[0].ci_high < he_off.rows[0].ci_low);
    /* by a wide margin, not a rounding */
    assert_true(rai.rows[0].fraction < 0.6 * he_on.rows[0].fraction);
    bd_result_free(&he_off);
    bd_result_free(&he_on);
    bd_result_free(&rai);
}

/* leaky_relu outputs 0 only at z = 0 exactly: never born dead, and no closed form row. */
static void test_leaky_never_dead(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    WIDTHS(&s, 2);
    DEPTHS(&s, 30);
    s.trials = 2000;
    s.activation = ACT_LEAKY_RELU;
    BdResult r;
    run_ok(&s, &r);
    assert_int_equal(r.rows[0].born_dead, 0);
    assert_true(isnan(r.rows[0].exact));
    bd_result_free(&r);
}

static void test_exact_applies(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    s.input_dim = 2;
    const double ray[] = {1.0, -2.0, 0.5, -1.0, 3.0, -6.0};  /* 1, 1/2, 3 times (1, -2) */
    const double two[] = {1.0, -2.0, -1.0, 2.0};             /* x and -x */
    const double zero[] = {0.0, 0.0};
    assert_int_equal(bd_exact_applies(&s, ray, 1), 1);
    assert_int_equal(bd_exact_applies(&s, ray, 3), 1);
    assert_int_equal(bd_exact_applies(&s, two, 2), 0);
    assert_int_equal(bd_exact_applies(&s, zero, 1), 0); /* no bias: layer 1 sees z = 0 */
    s.bias = 1;
    assert_int_equal(bd_exact_applies(&s, zero, 1), 1);
    assert_int_equal(bd_exact_applies(&s, ray, 3), 0); /* biases break homogeneity */
    s.bias = 0;
    s.activation = ACT_LEAKY_RELU;
    assert_int_equal(bd_exact_applies(&s, ray, 1), 0);
    s.activation = ACT_RELU;
    s.init = INIT_RAI;
    assert_int_equal(bd_exact_applies(&s, ray, 1), 0);
}

static void test_inputs(void **state)
{
    (void)state;
    BdSpec s;
    bd_spec_init(&s);
    GtErr e = {0};
    double *X, *Y;
    size_t n, m;
    s.input_dim = 3;
    s.inputs = BD_INPUTS_PM1;
    assert_int_equal(bd_make_inputs(&s, &X, &n, &e), GT_OK);
    assert_int_equal(n, 8);
    for (size_t p = 0; p < n; p++)
        for (size_t q = 0; q < p; q++) /* all corners, each once */
            assert_memory_not_equal(X + p * 3, X + q * 3, 3 * sizeof *X);
    for (size_t i = 0; i < 24; i++) assert_true(X[i] == 1.0 || X[i] == -1.0);
    free(X);

    s.inputs = BD_INPUTS_UNIFORM;
    s.n_inputs = 500;
    assert_int_equal(bd_make_inputs(&s, &X, &n, &e), GT_OK);
    assert_int_equal(bd_make_inputs(&s, &Y, &m, &e), GT_OK);
    assert_memory_equal(X, Y, n * 3 * sizeof *X);
    double mn = 1, mx = -1;
    for (size_t i = 0; i < n * 3; i++) {
        mn = fmin(mn, X[i]);
        mx = fmax(mx, X[i]);
    }
    assert_true(mn >= -1.0 && mx < 1.0 && mn < -0.95 && mx > 0.95);
    free(Y);
    s.seed = 7;
    assert_int_equal(bd_make_inputs(&s, &Y, &m, &e), GT_OK);
    assert_memory_not_equal(X, Y, n * 3 * sizeof *X);
    free(X);
    free(Y);
}

static void expect_list_error(const char *text, const char *needle)
{
    long v[BD_MAX_LIST];
    int n;
    GtErr e = {0};
    int rc = bd_parse_list(text, "--widths", 1, BD_MAX_WIDTH, v, &n, &e);
    if (rc != GT_EINPUT) fail_msg("--widths '%s' accepted", text);
    if (!strstr(e.msg, "--widths") || !strstr(e.msg, needle) || strchr(e.msg, '\n'))
        fail_msg("--widths '%s': message '%s' lacks '%s'", text, e.msg, needle);
}

static void test_bad_lists(void **state)
{
    (void)state;
    long v[BD_MAX_LIST];
    int n;
    GtErr e = {0};
    assert_int_equal(bd_parse_list("2,3,10", "--widths", 1, 100, v, &n, &e), GT_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[2], 10);
    expect_list_error("", "empty");
    expect_list_error("2,", "trailing comma");
    expect_list_error(",2", "integers");
    expect_list_error("2,,3", "integers");
    expect_list_error("two", "integers");
    expect_list_error("2;3", "integers");
    expect_list_error("2.5", "integers");
    expect_list_error(" 2", "integers");
    expect_list_error("0", "out of range");
    expect_list_error("-3", "out of range");
    expect_list_error("99999999999999999999", "out of range");
    expect_list_error("4097", "out of range");
    expect_list_error("3,2,3", "twice");
    char many[400] = "1";
    for (int i = 2; i <= BD_MAX_LIST + 1; i++) snprintf(many + strlen(many), 8, ",%d", i);
    expect_list_error(many, "at most");
}

static void test_bad_spec(void **state)
{
    (void)state;
    BdSpec s;
    GtErr e = {0};
    const char *bad_inputs[] = {"pm2", "gaussian", "gaussian:", "gaussian:0", "uniform:-1",
                                "uniform:1e3", "gaussian:5x", "uniform:2000000", ""};
    for (size_t i = 0; i < sizeof bad_inputs / sizeof *bad_inputs; i++) {
        bd_spec_init(&s);
        if (bd_parse_inputs(bad_inputs[i], &s, &e) != GT_EINPUT)
            fail_msg("--inputs '%s' accepted", bad_inputs[i]);
        assert_non_null(strstr(e.msg, "--inputs"));
    }
    bd_spec_init(&s);
    assert_int_equal(bd_parse_inputs("uniform:7", &s, &e), GT_OK);
    assert_int_equal(s.inputs, BD_INPUTS_UNIFORM);
    assert_int_equal(s.n_inputs, 7);

    /* each: defaults, one bad field, then both bd_validate and bd_run refuse it */
    for (int c = 0; c < 9; c++) {
        bd_spec_init(&s);
        const char *needle = NULL;
        switch (c) {
        case 0: s.trials = 0; needle = "--trials"; break;
        case 1: s.threads = 0; needle = "--threads"; break;
        case 2: s.inputs = BD_INPUTS_PM1; s.input_dim = 20; needle = "pm1"; break;
        case 3: s.init = INIT_RAI; s.bias = 0; needle = "--bias on"; break;
        case 4: s.init = INIT_GAUSSIAN; s.sigma_w2 = 0; needle = "--sigma-w2"; break;
        case 5: s.bias = 1; s.sigma_b2 = -1; needle = "--sigma-b2"; break;
        case 6: s.input_dim = 0; needle = "--input-dim"; break;
        case 7: s.n_widths = 0; needle = "--widths"; break;
        case 8: /* 1e6 probes of width 4096: far too much memory */
            s.inputs = BD_INPUTS_GAUSSIAN; s.n_inputs = 1000000; s.widths[0] = 4096;
            needle = "too large"; break;
        }
        e = (GtErr){0};
        assert_int_equal(bd_validate(&s, &e), GT_EINPUT);
        if (!strstr(e.msg, needle)) fail_msg("case %d: '%s' lacks '%s'", c, e.msg, needle);
        BdResult r;
        assert_int_equal(bd_run(&s, &r, &e), GT_EINPUT);
        assert_null(r.rows);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_formula),
        cmocka_unit_test(test_wilson_published),
        cmocka_unit_test(test_mc_matches_exact),
        cmocka_unit_test(test_per_layer_exact),
        cmocka_unit_test(test_threads_invariant),
        cmocka_unit_test(test_depths_nested),
        cmocka_unit_test(test_more_inputs_fewer_dead),
        cmocka_unit_test(test_rai_lowers_born_dead),
        cmocka_unit_test(test_leaky_never_dead),
        cmocka_unit_test(test_exact_applies),
        cmocka_unit_test(test_inputs),
        cmocka_unit_test(test_bad_lists),
        cmocka_unit_test(test_bad_spec),
    };
    return cmocka_run_group_tests_name("census_mc", tests, NULL, NULL);
}
