/* Tests for probe.c (with net.c's forward/backward feeding it): tiny networks whose weights,
 * inputs and gradients are written by hand, checked against statistics and gradients
 * computed independently here in double, for float32 and float64 alike. Covers dead,
 * saturated and exact-zero counts, the power-of-two gradient scale (gradients far below the
 * dtype's range must still be reported exactly) and sign coherence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "probe.h"
#include "xnorm.h"

static const Dtype DTYPES[] = {DT_F32, DT_F64};

static void setv(const Net *n, void *buf, size_t i, double v)
{
    if (n->dtype == DT_F32) ((float *)buf)[i] = (float)v;
    else ((double *)buf)[i] = v;
}

static double getv(const Net *n, const void *buf, size_t i)
{
    return n->dtype == DT_F32 ? (double)((const float *)buf)[i] : ((const double *)buf)[i];
}

static void setall(const Net *n, void *buf, const double *v, size_t len)
{
    for (size_t i = 0; i < len; i++) setv(n, buf, i, v[i]);
}

static void make_net(Net *n, Dtype t, size_t in, size_t width, size_t out, size_t batch,
                     long depth, ActKind act, double g0)
{
    NetSpec s = {.dtype = t, .in_dim = in, .width = width, .out_dim = out, .batch = batch,
                 .depth = depth, .act = act, .ap = {.alpha = 0.01, .relu_grad_at_zero = g0}};
    GtErr e = {0};
    assert_int_equal(net_create(n, &s, &e), GT_OK);
}

static void assert_rel(double got, double want, double rtol, const char *what)
{
    double err = fabs(got - want), lim = rtol * fabs(want);
    if (!(err <= lim) || (want == 0 && got != 0)) {
        print_error("%s: got %.17g want %.17g (rtol %g)\n", what, got, want, rtol);
        fail();
    }
}

static void assert_abs(double got, double want, double atol, const char *what)
{
    if (!(fabs(got - want) <= atol)) {
        print_error("%s: got %.17g want %.17g (atol %g)\n", what, got, want, atol);
        fail();
    }
}

static double rtol_of(Dtype t) { return t == DT_F32 ? 2e-6 : 1e-13; }

/* sqrt of a sum of squares of v[0..len) */
static double l2(const double *v, size_t len)
{
    double s = 0;
    for (size_t i = 0; i < len; i++) s += v[i] * v[i];
    return sqrt(s);
}

/* mean and population std, two-pass */
static void mean_std(const double *v, size_t len, double *mean, double *std)
{
    double s = 0;
    for (size_t i = 0; i < len; i++) s += v[i];
    double m = s / (double)len, q = 0;
    for (size_t i = 0; i < len; i++) q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *std = sqrt(q / (double)len);
}

/* mean over columns of |sum_i sign(G_ij)| / rows; G is (rows, cols) */
static double coherence(const double *G, size_t rows, size_t cols)
{
    double c = 0;
    for (size_t j = 0; j < cols; j++) {
        double s = 0;
        for (size_t i = 0; i < rows; i++) s += (G[i * cols + j] > 0) - (G[i * cols + j] < 0);
        c += fabs(s) / (double)rows;
    }
    return c / (double)cols;
}

/* ---- one relu hidden layer, xent: every column of both layers against a hand computation */

enum { B = 4, IN = 2, H = 3, OUT = 2 };
/* unit 0 alive on every row, unit 1 dead on every row with one pre-activation exactly 0,
 * unit 2 alive on row 2 only */
static const double X[B * IN] = {1, 0, 0, 1, 1, 1, 2, -1};
static const double W1[IN * H] = {1, -1, 1, 1, 0, 2};
static const double B1[H] = {1, 0, -2.5};
static const double W2[H * OUT] = {0.5, -0.5, 1, 1, -1, 2};
static const double B2[OUT] = {0.1, -0.2};
static const int32_t Y[B] = {0, 1, 1, 0};

typedef struct {
    double z1[B * H], a1[B * H], z2[B * OUT], d2[B * OUT], d1[B * H];
    double dW1[IN * H], db1[H], dW2[H * OUT], db2[OUT];
    double loss;
    size_t correct;
} Ref;

static void reference(Ref *r, double g0)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < B; i++)
        for (int j = 0; j < H; j++) {
            double z = B1[j];
            for (int k = 0; k < IN; k++) z += X[i * IN + k] * W1[k * H + j];
            r->z1[i * H + j] = z;
            r->a1[i * H + j] = z > 0 ? z : 0;
        }
    for (int i = 0; i < B; i++) {
        double mx = -INFINITY;
        int best = 0;
        for (int c = 0; c < OUT; c++) {
            double z = B2[c];
            for (int k = 0; k < H; k++) z += r->a1[i * H + k] * W2[k * OUT + c];
            r->z2[i * OUT + c] = z;
            if (z > mx) mx = z, best = c;
        }
        r->correct += best == Y[i];
        double s = 0;
        for (int c = 0; c < OUT; c++) s += exp(r->z2[i * OUT + c]);
        r->loss += (log(s) - r->z2[i * OUT + Y[i]]) / B;
        for (int c = 0; c < OUT; c++)
            r->d2[i * OUT + c] = exp(r->z2[i * OUT + c]) / s - (c == Y[i]);
    }
    for (int i = 0; i < B; i++)
        for (int k = 0; k < H; k++) {
            double s = 0;
            for (int c = 0; c < OUT; c++) s += r->d2[i * OUT + c] * W2[k * OUT + c];
            double z = r->z1[i * H + k];
            r->d1[i * H + k] = s * (z > 0 ? 1 : z < 0 ? 0 : g0);
        }
    for (int i = 0; i < B; i++) {
        for (int k = 0; k < H; k++)
            for (int c = 0; c < OUT; c++)
                r->dW2[k * OUT + c] += r->a1[i * H + k] * r->d2[i * OUT + c] / B;
        for (int c = 0; c < OUT; c++) r->db2[c] += r->d2[i * OUT + c] / B;
        for (int k = 0; k < IN; k++)
            for (int j = 0; j < H; j++)
                r->dW1[k * H + j] += X[i * IN + k] * r->d1[i * H + j] / B;
        for (int j = 0; j < H; j++) r->db1[j] += r->d1[i * H + j] / B;
    }
}

static void check_relu_net(Dtype t, double g0)
{
    Net n;
    make_net(&n, t, IN, H, OUT, B, 1, ACT_RELU, g0);
    Layer *L1 = &n.layers[0], *L2 = &n.layers[1];
    setall(&n, n.x, X, B * IN);
    setall(&n, L1->W, W1, IN * H);
    setall(&n, L1->b, B1, H);
    setall(&n, L2->W, W2, H * OUT);
    setall(&n, L2->b, B2, OUT);
    Ref r;
    reference(&r, g0);
    double rt = rtol_of(t);

    net_forward(&n, B);
    /* the hand-made pattern is really there (exact in both dtypes) */
    for (int i = 0; i < B * H; i++) assert_true(getv(&n, L1->z, i) == r.z1[i]);
    assert_true(getv(&n, L1->z, 1 * H + 1) == 0.0);
    size_t correct = 99;
    double loss = net_loss(&n, LOSS_XENT, Y, B, &correct, 1);
    assert_rel(loss, r.loss, rt, "loss");
    assert_int_equal(correct, r.correct);
    net_backward(&n, B, 1, NULL, NULL);
    assert_int_equal(L1->e2, 0); /* nothing to rescale at these magnitudes */
    assert_int_equal(L2->e2, 0);

    LayerStats st[2];
    double scratch[6 * (H)];
    memset(st, 0xff, sizeof st); /* every field must be written */
    probe_layers(&n, B, st, scratch);

    LayerStats *s = &st[0];
    assert_int_equal(s->fan_in, IN);
    assert_int_equal(s->fan_out, H);
    assert_int_equal(s->batch, B);
    /* zeros of a1: rows 0,1,3 have two, row 2 has one */
    assert_true(s->frac_zero == 7.0 / 12);
    /* z <= 0 on every row: unit 1 only (unit 2 is positive on one row); unit 1 is z = 0 on
     * row 1, so it is dead (f' = 0 on every row) only when relu'(0) = g0 = 0 */
    assert_true(s->frac_nonpositive_batch == 1.0 / 3);
    assert_true(s->frac_dead_batch == (g0 > 0 ? 0.0 : 1.0 / 3));
    assert_true(s->frac_preact_zero == 1.0 / 12);
    /* relu' < 0.01 where z < 0, and at z == 0 unless relu'(0) = g0 = 1 */
    assert_true(s->frac_saturated == (g0 >= 0.01 ? 6.0 : 7.0) / 12);
    double mean, std;
    mean_std(r.a1, B * H, &mean, &std);
    assert_rel(s->act_mean, mean, 1e-14, "act_mean");
    assert_rel(s->act_std, std, 1e-12, "act_std");
    assert_rel(xnorm_value(s->grad_w), l2(r.dW1, IN * H), rt, "grad_w[1]");
    assert_rel(xnorm_value(s->grad_b), l2(r.db1, H), rt, "grad_b[1]");
    assert_rel(xnorm_value(s->delta), l2(r.d1, B * H), rt, "delta[1]");
    for (int i = 0; i < IN * H; i++) /* no entry near 0, so rounding cannot flip a sign */
        assert_true(r.dW1[i] == 0 || fabs(r.dW1[i]) > 1e-3);
    assert_rel(s->sign_coherence, coherence(r.dW1, IN, H), 1e-15, "coherence[1]");

    s = &st[1]; /* output layer: a is z (the logits) */
    assert_int_equal(s->fan_in, H);
    assert_int_equal(s->fan_out, OUT);
    mean_std(r.z2, B * OUT, &mean, &std);
    assert_rel(s->act_mean, mean, rt, "act_mean[2]");
    assert_rel(s->act_std, std, rt * 10, "act_std[2]");
    assert_true(s->frac_zero == 0);
    assert_true(s->frac_preact_zero == 0);
    assert_true(s->frac_saturated == 0); /* not defined for the output layer: 0 */
    assert_rel(xnorm_value(s->grad_w), l2(r.dW2, H * OUT), rt, "grad_w[2]");
    assert_rel(xnorm_value(s->grad_b), l2(r.db2, OUT), rt, "grad_b[2]");
    assert_rel(xnorm_value(s->delta), l2(r.d2, B * OUT), rt, "delta[2]");
    for (int i = 0; i < H * OUT; i++) assert_true(r.dW2[i] == 0 || fabs(r.dW2[i]) > 1e-3);
    assert_rel(s->sign_coherence, coherence(r.dW2, H, OUT), 1e-15, "coherence[2]");

    double all = 0;
    all += pow(l2(r.dW1, IN * H), 2) + pow(l2(r.db1, H), 2);
    all += pow(l2(r.dW2, H * OUT), 2) + pow(l2(r.db2, OUT), 2);
    assert_rel(xnorm_value(probe_grad_l2(st, 2)), sqrt(all), rt, "grad_l2");
    assert_rel(xnorm_value(probe_grad_l2(st, 1)),
               sqrt(pow(l2(r.dW1, IN * H), 2) + pow(l2(r.db1, H), 2)), rt, "grad_l2 layer 1");
    net_free(&n);
}

static void test_relu_layer_by_hand(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) check_relu_net(DTYPES[t], 0.0);
}

/* --relu-grad-at-zero 1: the exact-zero pre-activation passes gradient and is not saturated */
static void test_relu_grad_at_zero_one(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) check_relu_net(DTYPES[t], 1.0);
}

/* ---- sigmoid: a unit with a huge pre-activation is saturated, a moderate one is not */

static void test_sigmoid_saturation(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 1, 3, 2, 2, 1, ACT_SIGMOID, 0);
        Layer *L = &n.layers[0];
        /* z = +-100 (sigmoid' ~ 4e-44), +-1 (0.197) and +-7 (9.1e-4, just under the
         * threshold 0.01 * 0.25) */
        const double x[2] = {1, -1}, w[3] = {100, 1, 7};
        setall(&n, n.x, x, 2);
        setall(&n, L->W, w, 3);
        const double w2[6] = {1, -1, 0.5, 0.5, -1, 1};
        setall(&n, n.layers[1].W, w2, 6);
        const int32_t y[2] = {0, 1};
        net_forward(&n, 2);
        double loss = net_loss(&n, LOSS_XENT, y, 2, NULL, 1);
        assert_true(isfinite(loss));
        net_backward(&n, 2, 1, NULL, NULL);
        LayerStats st[2];
        double scratch[6 * (3)];
        probe_layers(&n, 2, st, scratch);
        /* sat_thr = 0.01 * 0.25: units 0 and 2 on both rows (4 of 6 entries) */
        assert_true(st[0].frac_saturated == 4.0 / 6);
        assert_true(st[0].frac_dead_batch == 0); /* every unit is positive on row 0 */
        assert_true(st[0].frac_zero == 0);       /* sigmoid(-100) is small, not 0 */
        assert_true(st[0].frac_preact_zero == 0);
        double a[6], mean, std;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) {
                double z = x[i] * w[j];
                a[i * 3 + j] = 1 / (1 + exp(-z));
            }
        mean_std(a, 6, &mean, &std);
        assert_rel(st[0].act_mean, mean, rtol_of(DTYPES[t]), "sigmoid act_mean");
        assert_rel(st[0].act_std, std, rtol_of(DTYPES[t]) * 10, "sigmoid act_std");
        assert_true(st[1].frac_saturated == 0);
        net_free(&n);
    }
}

/* act_std of units that all sit in sigmoid's flat tail: outputs 1 - 1e-9 .. 1 - 1e-10, a
 * spread far below the rounding of mean(a^2) - mean(a)^2. The std must still be right. */
/* frac_dead_batch counts units that pass no gradient (f'(z) = 0 on every row), not units
 * with z <= 0: sigmoid unit 0 (z = -1, -2) is nonpositive but alive; unit 1 (z = 200,
 * 400) gets f' = 0 in float (exp underflows), ~1e-87 in double; leaky_relu never dies. */
static void test_dead_means_no_gradient(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        const ActKind acts[] = {ACT_SIGMOID, ACT_LEAKY_RELU};
        for (int k = 0; k < 2; k++) {
            Net n;
            make_net(&n, DTYPES[t], 1, 3, 2, 2, 1, acts[k], 0);
            Layer *L = &n.layers[0];
            const double x[2] = {1, 2}, w[3] = {-1, 200, 1};
            setall(&n, n.x, x, 2);
            setall(&n, L->W, w, 3);
            const double w2[6] = {1, -1, 0.5, -0.5, -1, 1}; /* rows unequal: softmax grads sum to 0 */
            setall(&n, n.layers[1].W, w2, 6);
            const int32_t y[2] = {0, 1};
            net_forward(&n, 2);
            assert_true(isfinite(net_loss(&n, LOSS_XENT, y, 2, NULL, 1)));
            net_backward(&n, 2, 1, NULL, NULL);
            LayerStats st[2];
            double scratch[6 * (3)];
            probe_layers(&n, 2, st, scratch);
            int f32_sigmoid = DTYPES[t] == DT_F32 && acts[k] == ACT_SIGMOID;
            assert_true(st[0].frac_nonpositive_batch == 1.0 / 3);
            assert_true(st[0].frac_dead_batch == (f32_sigmoid ? 1.0 / 3 : 0.0));
            /* the counted unit really gets no gradient, the others do */
            if ((getv(&n, L->dW, 1) == 0) != f32_sigmoid)
                fail_msg("t %d act %d: dW = %g %g %g", t, k, getv(&n, L->dW, 0), getv(&n, L->dW, 1), getv(&n, L->dW, 2));
            assert_true(getv(&n, L->dW, 0) != 0 && getv(&n, L->dW, 2) != 0);
            /* the output layer has no activation: nothing of it is dead */
            assert_true(st[1].frac_dead_batch == 0);
            net_free(&n);
        }
    }
}

static void test_act_std_of_clustered_outputs(void **state)
{
    (void)state;
    Net n;
    make_net(&n, DT_F64, 1, 4, 2, 1, 1, ACT_SIGMOID, 0);
    const double w[4] = {20, 21, 22, 23};
    setv(&n, n.x, 0, 1.0);
    setall(&n, n.layers[0].W, w, 4);
    net_forward(&n, 1);
    double a[4], mean, std;
    for (int j = 0; j < 4; j++) a[j] = 1 / (1 + exp(-w[j]));
    mean_std(a, 4, &mean, &std);
    n.layers[0].delta_ss = 0;
    LayerStats st[2];
    double scratch[6 * (4)];
    probe_layers(&n, 1, st, scratch);
    assert_rel(st[0].act_mean, mean, 1e-15, "act_mean");
    assert_rel(st[0].act_std, std, 1e-3, "act_std of clustered outputs");
    net_free(&n);
}

/* ---- gradients far below the dtype's range: the power-of-two scale must carry them */

static void check_tiny_gradients(Dtype t)
{
    /* dl/dz at the output = D * P, W2 = S * Q: then dW2 = D * (a1^T P)/m and
     * dW1 = D * S * (x^T ((P Q^T) . relu'))/m, whose log10 we know exactly. */
    const double D = t == DT_F32 ? 1e-30 : 1e-300, S = t == DT_F32 ? 1e-20 : 1e-200;
    enum { M = 2, I = 2, K = 3, O = 2 };
    const double x[M * I] = {1, 2, 3, -1};
    const double w1[I * K] = {1, 0.5, -1, 0.25, 1, -1};
    const double b1[K] = {0.5, 0.5, 0.5}; /* z1 = 2, 3, -2.5 / 3.25, 1, -1.5: unit 2 dead */
    const double q[K * O] = {1, -2, 3, 0.5, -1, 1};
    const double p[M * O] = {0.5, -0.25, -1, 0.75};

    Net n;
    make_net(&n, t, I, K, O, M, 1, ACT_RELU, 0);
    setall(&n, n.x, x, M * I);
    setall(&n, n.layers[0].W, w1, I * K);
    setall(&n, n.layers[0].b, b1, K);
    for (int i = 0; i < K * O; i++) setv(&n, n.layers[1].W, i, S * q[i]);
    net_forward(&n, M);
    for (int i = 0; i < M * O; i++) setv(&n, n.dbuf[0], i, D * p[i]);
    net_backward(&n, M, 1, NULL, NULL);

    double a1[M * K], g1[M * K], dW1[I * K] = {0}, db1[K] = {0};
    double dW2[K * O] = {0}, db2[O] = {0};
    for (int i = 0; i < M; i++)
        for (int j = 0; j < K; j++) {
            double z = b1[j];
            for (int k = 0; k < I; k++) z += x[i * I + k] * w1[k * K + j];
            a1[i * K + j] = z > 0 ? z : 0;
            double s = 0;
            for (int c = 0; c < O; c++) s += p[i * O + c] * q[j * O + c];
            g1[i * K + j] = z > 0 ? s : 0;
        }
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < K; j++)
            for (int c = 0; c < O; c++) dW2[j * O + c] += a1[i * K + j] * p[i * O + c] / M;
        for (int c = 0; c < O; c++) db2[c] += p[i * O + c] / M;
        for (int k = 0; k < I; k++)
            for (int j = 0; j < K; j++) dW1[k * K + j] += x[i * I + k] * g1[i * K + j] / M;
        for (int j = 0; j < K; j++) db1[j] += g1[i * K + j] / M;
    }
    LayerStats st[2];
    double scratch[6 * (K)];
    probe_layers(&n, M, st, scratch);
    double tol = t == DT_F32 ? 1e-6 : 1e-13;
    /* the scale was used: both layers needed a large negative exponent */
    assert_true(n.layers[1].e2 < -16);
    assert_true(n.layers[0].e2 < n.layers[1].e2 - 16);
    assert_abs(xnorm_log10(st[1].grad_w), log10(D) + log10(l2(dW2, K * O)), tol, "log10 grad_w[2]");
    assert_abs(xnorm_log10(st[1].grad_b), log10(D) + log10(l2(db2, O)), tol, "log10 grad_b[2]");
    assert_abs(xnorm_log10(st[1].delta), log10(D) + log10(l2(p, M * O)), tol, "log10 delta[2]");
    assert_abs(xnorm_log10(st[0].grad_w), log10(D) + log10(S) + log10(l2(dW1, I * K)), tol,
               "log10 grad_w[1]");
    assert_abs(xnorm_log10(st[0].grad_b), log10(D) + log10(S) + log10(l2(db1, K)), tol, "log10 grad_b[1]");
    assert_abs(xnorm_log10(st[0].delta), log10(D) + log10(S) + log10(l2(g1, M * K)), tol, "log10 delta[1]");
    /* layer 1's gradient (1e-50 / 1e-500) is below the dtype's range, yet not reported 0 */
    assert_true(st[0].grad_w.ss > 0);
    if (t == DT_F64) assert_true(xnorm_value(st[0].grad_w) == 0); /* ... and below double's */
    else assert_rel(xnorm_value(st[0].grad_w), D * S * l2(dW1, I * K), 1e-6, "grad_w[1] value");
    assert_true(st[0].frac_dead_batch == 1.0 / 3);
    assert_rel(st[0].sign_coherence, coherence(dW1, I, K), 1e-15, "coherence of tiny dW");
    /* the global norm is layer 2's to within 1e-20 */
    double g2 = sqrt(pow(l2(dW2, K * O), 2) + pow(l2(db2, O), 2));
    assert_abs(xnorm_log10(probe_grad_l2(st, 2)), log10(D) + log10(g2), tol, "log10 grad_l2");
    net_free(&n);
}

static void test_tiny_gradients_exact(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) check_tiny_gradients(DTYPES[t]);
}

/* ---- gradients written by hand: sign coherence, the 2^e2 scale, probe_grad_l2 */

static void test_hand_gradients(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 4, 3, 2, 2, 1, ACT_RELU, 0);
        Layer *L0 = &n.layers[0], *L1 = &n.layers[1];
        /* columns: (+,+,+,+) -> 1; (+,-,+,-) -> 0; (-,-,0,+) -> 1/4 */
        const double g0[4 * 3] = {0.5, 1, -3, 0.25, -1, -1, 1, 1, 0, 2, -1, 0.5};
        const double gb0[3] = {1, -2, 2};
        /* columns: (+,+,+) -> 1; (-,-,+) -> 1/3 */
        const double g1[3 * 2] = {1, -1, 1, -1, 1, 1};
        setall(&n, L0->dW, g0, 12);
        setall(&n, L0->db, gb0, 3);
        setall(&n, L1->dW, g1, 6);
        L0->e2 = -40;
        L1->e2 = -38;
        L0->delta_ss = 8;
        L1->delta_ss = 0;
        LayerStats st[2];
        double scratch[6 * (3)];
        probe_layers(&n, 2, st, scratch);
        assert_rel(st[0].sign_coherence, (1 + 0 + 0.25) / 3, 1e-15, "coherence[1]");
        assert_rel(st[1].sign_coherence, (1 + 1.0 / 3) / 2, 1e-15, "coherence[2]");
        const double ss0 = 19.5625; /* sum of g0^2 */
        assert_rel(xnorm_value(st[0].grad_w), sqrt(ss0) * ldexp(1, -40), 1e-15, "grad_w[1]");
        assert_rel(xnorm_value(st[0].grad_b), 3 * ldexp(1, -40), 1e-15, "grad_b[1]");
        assert_rel(xnorm_value(st[0].delta), sqrt(8) * ldexp(1, -40), 1e-15, "delta[1]");
        assert_rel(xnorm_value(st[1].grad_w), sqrt(6) * ldexp(1, -38), 1e-15, "grad_w[2]");
        assert_true(st[1].grad_b.ss == 0); /* exactly zero stays exactly zero */
        assert_true(xnorm_log10(st[1].grad_b) == -INFINITY);
        assert_true(st[1].delta.ss == 0);
        double want = sqrt((ss0 + 9) * ldexp(1, -80) + 6 * ldexp(1, -76));
        assert_rel(xnorm_value(probe_grad_l2(st, 2)), want, 1e-15, "grad_l2");
        /* activations are all zero (nothing was run forward) */
        assert_true(st[0].frac_zero == 1 && st[0].frac_preact_zero == 1);
        assert_true(st[0].frac_dead_batch == 1);
        assert_true(st[0].act_mean == 0 && st[0].act_std == 0);

        /* far beyond double: e2 = -3000 and -3001; only log10 can show it */
        L0->e2 = -3000;
        L1->e2 = -3001;
        probe_layers(&n, 2, st, scratch);
        assert_true(xnorm_value(st[0].grad_w) == 0);
        /* (ss0 + 9) 4^-3000 + 6 4^-3001 = (4 (ss0 + 9) + 6) 4^-3001 */
        double lg = 0.5 * log10(4 * (ss0 + 9) + 6) - 3001 * log10(2.0);
        assert_abs(xnorm_log10(probe_grad_l2(st, 2)), lg, 1e-11, "log10 grad_l2 at e2=-3000");
        assert_abs(xnorm_log10(st[0].grad_w), 0.5 * log10(ss0) - 3000 * log10(2.0), 1e-11,
                   "log10 grad_w at e2=-3000");
        /* the same gradients pass through the sign count untouched by the scale */
        assert_rel(st[0].sign_coherence, (1 + 0 + 0.25) / 3, 1e-15, "coherence, e2=-3000");
        net_free(&n);
    }
}

/* ---- dead over the batch: needs z <= 0 on every row of the first m only */

static void test_dead_batch_counts_only_m_rows(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net n;
        make_net(&n, DTYPES[t], 1, 2, 2, 3, 1, ACT_RELU, 0);
        Layer *L = &n.layers[0];
        /* unit 0: z = x; unit 1: z = -x. Rows: x = -1, -2 (used), 5 (beyond m = 2) */
        const double x[3] = {-1, -2, 5}, w[2] = {1, -1};
        setall(&n, n.x, x, 3);
        setall(&n, L->W, w, 2);
        net_forward(&n, 3);
        /* pretend only 2 rows were run: row 2 is stale data that must not count */
        net_forward(&n, 2);
        const int32_t y[3] = {0, 1, 0};
        net_loss(&n, LOSS_MSE, y, 2, NULL, 1);
        net_backward(&n, 2, 1, NULL, NULL);
        LayerStats st[2];
        double scratch[6 * (2)];
        probe_layers(&n, 2, st, scratch);
        assert_true(st[0].frac_dead_batch == 0.5); /* unit 0 dead on rows 0,1 */
        assert_true(st[0].frac_zero == 0.5);
        assert_true(st[0].frac_saturated == 0.5);
        assert_rel(st[0].act_mean, 0.75, 1e-15, "act_mean over m rows");
        assert_int_equal(st[0].batch, 2);
        /* output z = 0 (W2, b2 are 0): mse delta = -onehot(y) = (-1, 0), (0, -1); a1 rows
         * (0, 1), (0, 2). Means over m = 2 rows: db2 = (-1/2, -1/2), dW2 = [[0, 0],
         * [-1/2, -1]]; delta2 = sqrt 2; layer 1 gets no gradient (W2 = 0) */
        assert_rel(xnorm_value(st[1].grad_b), sqrt(0.5), 1e-7, "grad_b over m rows");
        assert_rel(xnorm_value(st[1].grad_w), sqrt(1.25), 1e-7, "grad_w over m rows");
        assert_rel(xnorm_value(st[1].delta), sqrt(2.0), 1e-7, "delta over m rows");
        assert_true(st[0].grad_w.ss == 0 && st[0].grad_b.ss == 0 && st[0].delta.ss == 0);
        net_free(&n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relu_layer_by_hand),
        cmocka_unit_test(test_relu_grad_at_zero_one),
        cmocka_unit_test(test_sigmoid_saturation),
        cmocka_unit_test(test_dead_means_no_gradient),
        cmocka_unit_test(test_act_std_of_clustered_outputs),
        cmocka_unit_test(test_tiny_gradients_exact),
        cmocka_unit_test(test_hand_gradients),
        cmocka_unit_test(test_dead_batch_counts_only_m_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
