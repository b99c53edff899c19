/* Tests for census.c: a hand-built relu net (in 2, width 3, depth 2) over a hand-made probe
 * set, with units chosen dead, alive on one sample only, or alive everywhere; revivals
 * after the weights are changed by hand; born_dead; sigmoid saturation over the probe set;
 * and the seeded probe sample (reproducible, without repetition). Both dtypes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "net.h"

static const Dtype DTYPES[] = {DT_F32, DT_F64};

static void setv(const Net *n, void *buf, size_t i, double v)
{
    if (n->dtype == DT_F32) ((float *)buf)[i] = (float)v;
    else ((double *)buf)[i] = v;
}

static void setall(const Net *n, void *buf, const double *v, size_t len)
{
    for (size_t i = 0; i < len; i++) setv(n, buf, i, v[i]);
}

/* batch 2 < 5 samples: the census must walk the probe set in chunks (2, 2, 1) */
static void make_net(Net *n, Dtype t, long depth, ActKind act, size_t batch)
{
    NetSpec s = {.dtype = t, .in_dim = 2, .width = 3, .out_dim = 2, .batch = batch,
                 .depth = depth, .act = act, .ap = {.alpha = 0.01, .relu_grad_at_zero = 0}};
    GtErr e = {0};
    assert_int_equal(net_create(n, &s, &e), GT_OK);
}

enum { N = 5 };
static double XS[N * 2] = {0, 1, 1, 0, 2, 2, 3, 1, 0.5, 0.5};
static int32_t YS[N] = {0, 1, 0, 1, 0};
static Dataset probe_data(void) { return (Dataset){.n = N, .dim = 2, .classes = 2, .x = XS, .y = YS}; }

/* layer 1: unit 0 z = x0 + x1 + 1 > 0 everywhere; unit 1 z = -x0 - x1 - 1 < 0 everywhere
 * (dead); unit 2 z = x0 - 2.5 > 0 on sample 3 only (alive: once is enough).
 * layer 2 (W rows = layer-1 units): unit 0 z = a0 (alive), unit 1 z = -1 (dead),
 * unit 2 z = -a0 (dead). */
static const double W1[6] = {1, -1, 1, 1, -1, 0};
static const double B1[3] = {1, -1, -2.5};
static const double W2[9] = {1, 0, -1, 0, 0, 0, 0, 0, 0};
static const double B2[3] = {0, -1, 0};

static void set_layers(Net *n)
{
    setall(n, n->layers[0].W, W1, 6);
    setall(n, n->layers[0].b, B1, 3);
    setall(n, n->layers[1].W, W2, 9);
    setall(n, n->layers[1].b, B2, 3);
    /* output layer: anything */
    const double w3[6] = {1, -1, 0.5, 0.5, -1, 1};
    setall(n, n->layers[2].W, w3, 6);
}

static void assert_row(const CensusRow *r, double dead, double revived, double sat)
{
    if (r->frac_dead != dead || r->frac_revived != revived || r->frac_saturated != sat) {
        print_error("row: dead %.17g revived %.17g saturated %.17g; want %.17g %.17g %.17g\n",
                    r->frac_dead, r->frac_revived, r->frac_saturated, dead, revived, sat);
        fail();
    }
}

static void test_dead_revived_born_dead(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 2, ACT_RELU, 2);
        set_layers(&n);
        Dataset d = probe_data();
        Census c;
        GtErr e = {0};
        assert_int_equal(census_create(&c, &n, &d, N, 42, &e), GT_OK);
        assert_int_equal(c.layers, 2);
        assert_int_equal(c.width, 3);
        CensusRow rows[2];

        /* census 1: nothing can have revived yet; relu' < 0.01 exactly where z <= 0, so
         * the saturated units are the dead ones */
        assert_int_equal(census_measure(&c, &n, rows), 0);
        assert_row(&rows[0], 1.0 / 3, 0, 1.0 / 3);
        assert_row(&rows[1], 2.0 / 3, 0, 2.0 / 3);

        /* census 2: layer-1 unit 1 becomes z = x0 - x1 (> 0 on samples 1 and 3), and
         * layer-2 unit 2 reads it (z = a1) */
        setv(&n, n.layers[0].W, 0 * 3 + 1, 1.0);
        setv(&n, n.layers[0].W, 1 * 3 + 1, -1.0);
        setv(&n, n.layers[0].b, 1, 0.0);
        setv(&n, n.layers[1].W, 0 * 3 + 2, 0.0);
        setv(&n, n.layers[1].W, 1 * 3 + 2, 1.0);
        assert_int_equal(census_measure(&c, &n, rows), 0);
        assert_row(&rows[0], 0, 1.0 / 3, 0);
        assert_row(&rows[1], 1.0 / 3, 1.0 / 3, 1.0 / 3);

        /* census 3, nothing changed: a revived unit that stays alive stays counted (it was
         * dead at an earlier census and is alive now) */
        assert_int_equal(census_measure(&c, &n, rows), 0);
        assert_row(&rows[0], 0, 1.0 / 3, 0);
        assert_row(&rows[1], 1.0 / 3, 1.0 / 3, 1.0 / 3);

        /* census 4: unit 1 of layer 1 dies again (so layer-2 unit 2 does too); layer-2
         * unit 1 (dead at census 1 and 2) comes alive through its bias */
        setv(&n, n.layers[0].b, 1, -10.0);
        setv(&n, n.layers[1].b, 1, 0.5);
        assert_int_equal(census_measure(&c, &n, rows), 0);
        assert_row(&rows[0], 1.0 / 3, 0, 1.0 / 3);
        assert_row(&rows[1], 1.0 / 3, 1.0 / 3, 1.0 / 3);

        /* census 5: the whole of layer 2 dead: its output is constant, the net is born dead */
        for (int j = 0; j < 3; j++) setv(&n, n.layers[1].b, j, -100.0);
        assert_int_equal(census_measure(&c, &n, rows), 1);
        assert_true(rows[1].frac_dead == 1.0);
        census_free(&c);
        net_free(&n);
    }
}

/* A whole first layer dead from the start: born dead, although layer 2 has a live unit. */
static void test_born_dead_first_layer(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 2, ACT_RELU, 8);
        set_layers(&n);
        for (int j = 0; j < 3; j++) setv(&n, n.layers[0].b, j, -50.0);
        setv(&n, n.layers[1].b, 0, 0.5); /* layer 2: unit 0 alive but constant */
        Dataset d = probe_data();
        Census c;
        GtErr e = {0};
        assert_int_equal(census_create(&c, &n, &d, N, 1, &e), GT_OK);
        CensusRow rows[2];
        assert_int_equal(census_measure(&c, &n, rows), 1);
        assert_row(&rows[0], 1, 0, 1);
        assert_row(&rows[1], 2.0 / 3, 0, 2.0 / 3); /* z = 0.5, -1, 0 on every sample */
        census_free(&c);

        /* layer 1 alive but constant (W1 = 0, biases 1, 2, -1): still born dead, since
         * nothing about the input reaches the output */
        for (int i = 0; i < 6; i++) setv(&n, n.layers[0].W, i, 0.0);
        const double b1[3] = {1, 2, -1};
        setall(&n, n.layers[0].b, b1, 3);
        assert_int_equal(census_create(&c, &n, &d, N, 1, &e), GT_OK);
        assert_int_equal(census_measure(&c, &n, rows), 1);
        assert_true(rows[0].frac_dead == 1.0 / 3);
        census_free(&c);
        net_free(&n);
    }
}

/* Unit 2 of layer 1 is alive on sample 3 only: a probe set without sample 3 sees it dead.
 * Over several seeds, both kinds of probe set occur, and the census must pass exactly the
 * rows it drew. */
static void test_dead_depends_on_probe_set(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 2, ACT_RELU, 2);
        set_layers(&n);
        Dataset d = probe_data();
        int seen[2] = {0, 0};
        for (uint64_t seed = 1; seed <= 20; seed++) {
            Census c;
            GtErr e = {0};
            assert_int_equal(census_create(&c, &n, &d, 3, seed, &e), GT_OK);
            int has3 = 0;
            for (size_t i = 0; i < 3; i++) has3 |= c.idx[i] == 3;
            seen[has3] = 1;
            CensusRow rows[2];
            census_measure(&c, &n, rows);
            assert_true(rows[0].frac_dead == (has3 ? 1.0 : 2.0) / 3);
            census_free(&c);
        }
        assert_true(seen[0] && seen[1]);
        net_free(&n);
    }
}

/* Sigmoid: a unit is saturated only when f' < 0.01 * 0.25 on every probe sample. */
static void test_sigmoid_saturated_units(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 1, ACT_SIGMOID, 2);
        /* unit 0: z = 30 x0 + 30 x1 + 10 >= 10 (saturated on all samples);
         * unit 1: z = -20 + x0 (-20..-17: saturated); unit 2: z = 10 x0 - 1 (0.5 -> 4:
         * sigmoid'(4) = 0.018, not saturated there) */
        const double w[6] = {30, 1, 10, 30, 0, 0}, b[3] = {10, -20, -1};
        setall(&n, n.layers[0].W, w, 6);
        setall(&n, n.layers[0].b, b, 3);
        Dataset d = probe_data();
        Census c;
        GtErr e = {0};
        assert_int_equal(census_create(&c, &n, &d, N, 3, &e), GT_OK);
        CensusRow rows[1];
        assert_int_equal(census_measure(&c, &n, rows), 0);
        /* unit 1 has z < 0 on every sample but passes a gradient (sigmoid' > 0): not dead */
        assert_row(&rows[0], 0, 0, 2.0 / 3);
        assert_true(rows[0].frac_nonpositive == 1.0 / 3);
        census_free(&c);
        net_free(&n);
    }
}

/* The probe sample: same seed, same indices; all in range and distinct; size = n is a
 * permutation; another seed gives another sample. */
static void test_probe_sample(void **state)
{
    (void)state;
    enum { M = 200, S = 20 };
    static double x[M * 2];
    static int32_t y[M];
    Dataset d = {.n = M, .dim = 2, .classes = 2, .x = x, .y = y};
    Net n;
    make_net(&n, DT_F32, 1, ACT_RELU, 4);
    Census a, b, o, full;
    GtErr e = {0};
    assert_int_equal(census_create(&a, &n, &d, S, 7, &e), GT_OK);
    assert_int_equal(census_create(&b, &n, &d, S, 7, &e), GT_OK);
    assert_int_equal(census_create(&o, &n, &d, S, 8, &e), GT_OK);
    assert_int_equal(census_create(&full, &n, &d, M, 7, &e), GT_OK);
    assert_int_equal(a.size, S);
    assert_memory_equal(a.idx, b.idx, S * sizeof *a.idx);
    assert_memory_not_equal(a.idx, o.idx, S * sizeof *a.idx);
    unsigned char seen[M] = {0};
    int in_order = 1;
    for (size_t i = 0; i < S; i++) {
        assert_true(a.idx[i] < M);
        assert_int_equal(seen[a.idx[i]], 0);
        seen[a.idx[i]] = 1;
        in_order &= a.idx[i] == i;
    }
    assert_false(in_order); /* a sample, not the first S rows */
    memset(seen, 0, sizeof seen);
    size_t fixed = 0;
    for (size_t i = 0; i < M; i++) {
        assert_true(full.idx[i] < M);
        assert_int_equal(seen[full.idx[i]], 0);
        seen[full.idx[i]] = 1;
        fixed += full.idx[i] == i;
    }
    /* a uniform shuffle has about one fixed point; a partial one has many */
    assert_true(fixed < 10);
    census_free(&a);
    census_free(&b);
    census_free(&o);
    census_free(&full);
    assert_null(a.idx);
    net_free(&n);
}

/* The same weights under activations whose f' does not vanish for z <= 0: the units that
 * relu calls dead (z <= 0 on every probe) are nonpositive, not dead; relu's counts equal. */
static void test_dead_is_no_gradient(void **state)
{
    (void)state;
    const ActKind acts[] = {ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID, ACT_ELU};
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < 5; k++) {
            Net n;
            make_net(&n, DTYPES[t], 2, acts[k], 2);
            set_layers(&n);
            Dataset d = probe_data();
            Census c;
            GtErr e = {0};
            assert_int_equal(census_create(&c, &n, &d, N, 42, &e), GT_OK);
            CensusRow rows[2];
            census_measure(&c, &n, rows);
            /* layer 1's unit 1 has z < 0 on every sample whatever f is */
            assert_true(rows[0].frac_nonpositive == 1.0 / 3);
            assert_true(rows[0].frac_dead == (acts[k] == ACT_RELU ? 1.0 / 3 : 0.0));
            if (acts[k] == ACT_RELU) assert_true(rows[1].frac_dead == rows[1].frac_nonpositive);
            else assert_true(rows[1].frac_dead == 0);
            census_free(&c);
            net_free(&n);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dead_revived_born_dead),
        cmocka_unit_test(test_born_dead_first_layer),
        cmocka_unit_test(test_dead_depends_on_probe_set),
        cmocka_unit_test(test_sigmoid_saturated_units),
        cmocka_unit_test(test_dead_is_no_gradient),
        cmocka_unit_test(test_probe_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
