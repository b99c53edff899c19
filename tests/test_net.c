/* The net's forward/backward against central differences (float64), for every activation
 * and both losses, and the exact power-of-two scaling of deep backprop (float32 vs float64). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "probe.h"
#include "testutil.h"

typedef struct {
    Net net;
    Dataset d;
    int32_t y[8];
} Fixture;

/* A small net with random weights, biases and inputs; every value from one seed;
 * residual blocks of resid_k layers (0: plain) with branch scale resid_scale. */
static void make_resid(Fixture *f, Dtype dt, ActKind act, long depth, size_t width,
                       size_t batch, InitKind init, double sigma_b2, uint64_t seed,
                       long resid_k, double resid_scale)
{
    NetSpec s = {.dtype = dt, .in_dim = 4, .width = width, .out_dim = 3, .batch = batch,
                 .depth = depth, .act = act, .ap = {.alpha = 0.01, .relu_grad_at_zero = 0},
                 .resid_k = resid_k, .resid_scale = resid_scale};
    GtErr e;
    assert_int_equal(net_create(&f->net, &s, &e), GT_OK);
    Rng r;
    rng_seed(&r, seed, RNG_INIT);
    assert_int_equal(net_init_params(&f->net, init, 1.0, sigma_b2, &r, &e), GT_OK);
    f->d.n = batch;
    f->d.dim = 4;
    f->d.classes = 3;
    f->d.x = malloc(batch * 4 * sizeof(double));
    f->d.y = f->y;
    for (size_t i = 0; i < batch * 4; i++) f->d.x[i] = rng_normal(&r);
    for (size_t i = 0; i < batch; i++) f->y[i] = (int32_t)rng_below(&r, 3);
    net_load_input(&f->net, &f->d, NULL, 0, batch);
}

static void make(Fixture *f, Dtype dt, ActKind act, long depth, size_t width, size_t batch,
                 InitKind init, double sigma_b2, uint64_t seed)
{
    make_resid(f, dt, act, depth, width, batch, init, sigma_b2, seed, 0, 0);
}

static void unmake(Fixture *f)
{
    net_free(&f->net);
    free(f->d.x);
}

static double loss_at(Fixture *f, LossKind k)
{
    net_forward(&f->net, f->d.n);
    return net_loss(&f->net, k, f->y, f->d.n, NULL, 0);
}

/* Compares every analytic parameter gradient with a central difference; returns the
 * largest relative error and the gradient norm (the guard against a trivial pass). */
static void gradcheck_net(ActKind act, LossKind loss, long depth, long resid_k, double alpha)
{
    Fixture f;
    make_resid(&f, DT_F64, act, depth, 5, 6, INIT_XAVIER_NORMAL, 0.1, 7 + (uint64_t)act,
               resid_k, alpha);
    Net *n = &f.net;
    net_forward(n, f.d.n);
    net_loss(n, loss, f.y, f.d.n, NULL, 1);
    net_backward(n, f.d.n, 0, NULL, NULL);
    double worst = 0, gnorm = 0, layer1 = 0;
    const double h = 1e-6;
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        double sc = ldexp(1.0, L->e2);
        for (int part = 0; part < 2; part++) {
            double *p = part ? L->b : L->W, *g = part ? L->db : L->dW;
            size_t cnt = part ? L->fan_out : L->fan_in * L->fan_out;
            for (size_t i = 0; i < cnt; i++) {
                double keep = p[i];
                p[i] = keep + h;
                double up = loss_at(&f, loss);
                p[i] = keep - h;
                double down = loss_at(&f, loss);
                p[i] = keep;
                double num = (up - down) / (2 * h), ana = g[i] * sc;
                double err = fabs(num - ana) / fmax(1e-4, fabs(num) + fabs(ana));
                if (err > worst) worst = err;
                gnorm += ana * ana;
                if (l == 0) layer1 += ana * ana;
            }
        }
    }
    if (worst > 1e-5)
        print_error("%s/%s depth %ld residual %ld x %g: worst relative error %g\n",
                    act_get(act)->name, loss == LOSS_XENT ? "xent" : "mse", depth, resid_k,
                    alpha, worst);
    assert_true(worst <= 1e-5);
    /* guard: the gradients checked are real, down to the first layer */
    assert_true(sqrt(gnorm) > 1e-3);
    assert_true(sqrt(layer1) > 1e-6);
    unmake(&f);
}

static void gradcheck(ActKind act, LossKind loss) { gradcheck_net(act, loss, 3, 0, 0); }

static void test_gradcheck_all(void **state)
{
    (void)state;
    for (int a = 0; a < ACT_COUNT; a++) {
        gradcheck((ActKind)a, LOSS_XENT);
        gradcheck((ActKind)a, LOSS_MSE);
    }
}

/* Residual blocks of one and two layers (alpha 1 and 0.5), depth 1 (no blocks), 3 and 5:
 * every activation, both losses. */
static void test_gradcheck_residual(void **state)
{
    (void)state;
    for (int a = 0; a < ACT_COUNT; a++)
        for (int loss = 0; loss < 2; loss++) {
            gradcheck_net((ActKind)a, (LossKind)loss, 3, 1, 1.0);
            gradcheck_net((ActKind)a, (LossKind)loss, 5, 2, 0.5);
            gradcheck_net((ActKind)a, (LossKind)loss, 5, 1, 0.7);
            gradcheck_net((ActKind)a, (LossKind)loss, 1, 2, 1.0);
        }
}

/* The residual forward pass against one written here in double from W and b (blocks of
 * two tanh layers, alpha 0.5, depth 5): the logits, and resid_ratio = ||h_l - h_{l-K}|| /
 * ||h_{l-K}|| at the blocks' ends. */
static void test_residual_forward(void **state)
{
    (void)state;
    enum { D = 5, KB = 2, WD = 5, NB = 6 };
    const double alpha = 0.5;
    Fixture f;
    make_resid(&f, DT_F64, ACT_TANH, D, WD, NB, INIT_XAVIER_NORMAL, 0.1, 3, KB, alpha);
    Net *n = &f.net;
    net_forward(n, NB);
    net_loss(n, LOSS_XENT, f.y, NB, NULL, 1);
    net_backward(n, NB, 1, NULL, NULL);
    LayerStats st[D + 1];
    double scratch[6 * WD];
    probe_layers(n, NB, st, scratch);
    for (size_t i = 0; i < NB; i++) {
        double h[WD], stream[WD], z[WD];
        const double *x = f.d.x + i * 4;
        for (int l = 0; l <= D; l++) {
            const Layer *L = &n->layers[l];
            const double *W = L->W, *b = L->b, *in = l == 0 ? x : h;
            for (size_t j = 0; j < L->fan_out; j++) {
                z[j] = b[j];
                for (size_t k = 0; k < L->fan_in; k++) z[j] += in[k] * W[k * L->fan_out + j];
            }
            if (l == D) {
                for (size_t j = 0; j < L->fan_out; j++)
                    assert_near(((const double *)L->z)[i * L->fan_out + j], z[j], 1e-12);
                break;
            }
            for (size_t j = 0; j < WD; j++) h[j] = tanh(z[j]);
            if (l == 0) memcpy(stream, h, sizeof h);
            else if (l % KB == 0)
                for (size_t j = 0; j < WD; j++) stream[j] = h[j] = stream[j] + alpha * h[j];
        }
    }
    double guard = 0;
    for (int l = 1; l < D; l++) {
        if (l % KB) {
            assert_true(isnan(st[l].resid_ratio));
            continue;
        }
        const double *hl = n->layers[l].h, *hp = n->layers[l - KB].h;
        double num = 0, den = 0;
        for (size_t i = 0; i < NB * WD; i++) num += (hl[i] - hp[i]) * (hl[i] - hp[i]), den += hp[i] * hp[i];
        assert_near(st[l].resid_ratio, sqrt(num / den), 1e-12);
        guard += st[l].resid_ratio;
    }
    assert_true(guard > 0.1); /* the blocks do change their input */
    assert_true(isnan(st[0].resid_ratio) && isnan(st[D].resid_ratio));
    unmake(&f);
}

/* The loss value itself against a hand computation on a one-layer (depth 1) float64 net. */
static void test_loss_values(void **state)
{
    (void)state;
    Fixture f;
    make(&f, DT_F64, ACT_LINEAR, 1, 2, 2, INIT_XAVIER_NORMAL, 0, 3);
    Net *n = &f.net;
    net_forward(n, 2);
    const double *z = n->layers[1].z;
    double xent = 0, mse = 0;
    for (int i = 0; i < 2; i++) {
        double s = 0;
        for (int c = 0; c < 3; c++) s += exp(z[i * 3 + c]);
        xent += -(z[i * 3 + f.y[i]] - log(s));
        for (int c = 0; c < 3; c++) {
            double r = z[i * 3 + c] - (c == f.y[i]);
            mse += 0.5 * r * r;
        }
    }
    size_t ok;
    assert_near(net_loss(n, LOSS_XENT, f.y, 2, &ok, 0), xent / 2, 1e-12);
    assert_near(net_loss(n, LOSS_MSE, f.y, 2, &ok, 0), mse / 2, 1e-12);
    /* huge logits: log-sum-exp stays finite and exact */
    double *zz = n->layers[1].z;
    zz[0] = 1000, zz[1] = 0, zz[2] = -1000, zz[3] = 0, zz[4] = 0, zz[5] = 0;
    f.y[0] = 1, f.y[1] = 2;
    double got = net_loss(n, LOSS_XENT, f.y, 2, &ok, 0);
    assert_near(got, (1000.0 + log(3.0)) / 2, 1e-9);
    assert_int_equal(ok, 0);
    unmake(&f);
}

/* Layer-1 log10 norms of a deep sigmoid net: float32 (whose gradients underflow without the
 * scaling) agrees with float64 to 1e-3, and the bookkeeping of e2 matches a plain norm in
 * float64 where that is representable. */
static void deep_stats_resid(Dtype dt, long depth, long resid_k, LayerStats *st, int *e2_first)
{
    Fixture f;
    make_resid(&f, dt, ACT_SIGMOID, depth, 32, 8, INIT_STANDARD, 0, 11, resid_k, 1.0);
    net_forward(&f.net, 8);
    net_loss(&f.net, LOSS_XENT, f.y, 8, NULL, 1);
    net_backward(&f.net, 8, 1, NULL, NULL);
    double scratch[6 * (64)];
    probe_layers(&f.net, 8, st, scratch);
    *e2_first = f.net.layers[0].e2;
    unmake(&f);
}

static void deep_stats(Dtype dt, long depth, LayerStats *st, int *e2_first)
{
    deep_stats_resid(dt, depth, 0, st, e2_first);
}

static void test_deep_exact_norms(void **state)
{
    (void)state;
    enum { D = 60 };
    LayerStats s32[D + 1], s64[D + 1];
    int e32, e64;
    deep_stats(DT_F32, D, s32, &e32);
    deep_stats(DT_F64, D, s64, &e64);
    double g32 = xnorm_log10(s32[0].grad_w), g64 = xnorm_log10(s64[0].grad_w);
    double d32 = xnorm_log10(s32[0].delta), d64 = xnorm_log10(s64[0].delta);
    assert_true(e32 < -100); /* the scaling really was needed */
    assert_true(isfinite(g32) && g32 < -38); /* below float32's normal range */
    assert_true(fabs(g32 - g64) < 1e-3);
    assert_true(fabs(d32 - d64) < 1e-3);
    /* every layer agrees, and norms shrink towards the input (S1) */
    for (int l = 0; l <= D; l++)
        assert_true(fabs(xnorm_log10(s32[l].grad_w) - xnorm_log10(s64[l].grad_w)) < 1e-3);
    assert_true(xnorm_log10(s64[0].grad_w) < xnorm_log10(s64[D - 1].grad_w) - 10);
}

/* Residual nets keep their norms exact too: one 60-layer block (its branch's deltas fall
 * below float32's range towards the block's input while the skip carries the gradient),
 * and blocks of 1 and 3 layers (many merges of skip and branch): float32 agrees with
 * float64 on every layer's log10 grad_w and delta, and on resid_ratio. */
static void test_residual_exact_norms(void **state)
{
    (void)state;
    enum { D = 61 };
    const long K[3] = {60, 1, 3}, depth[3] = {61, 61, 61};
    for (int c = 0; c < 3; c++) {
        LayerStats s32[D + 1], s64[D + 1];
        int e32, e64;
        deep_stats_resid(DT_F32, depth[c], K[c], s32, &e32);
        deep_stats_resid(DT_F64, depth[c], K[c], s64, &e64);
        double lowest = 0;
        for (int l = 0; l <= depth[c]; l++) {
            double g32 = xnorm_log10(s32[l].grad_w), g64 = xnorm_log10(s64[l].grad_w);
            double d32 = xnorm_log10(s32[l].delta), d64 = xnorm_log10(s64[l].delta);
            if (!(fabs(g32 - g64) < 1e-3 && fabs(d32 - d64) < 1e-3))
                fail_msg("K %ld layer %d: log10 grad_w %g vs %g, delta %g vs %g", K[c], l + 1,
                         g32, g64, d32, d64);
            if (g32 < lowest) lowest = g32;
            int end = l > 0 && l < depth[c] && l % K[c] == 0;
            assert_int_equal(isnan(s64[l].resid_ratio), !end);
            if (end) assert_true(fabs(s32[l].resid_ratio / s64[l].resid_ratio - 1) < 1e-4);
        }
        /* the skip keeps layer 1's gradient alive: no vanishing through the blocks */
        assert_true(xnorm_log10(s64[0].grad_w) > -3);
        if (K[c] == 60) assert_true(lowest < -38); /* the scaling was needed inside the block */
    }
}

static void test_scaling_bookkeeping(void **state)
{
    (void)state;
    /* depth 25 float64: gradients near 1e-20 are representable, so a plain sum of squares
     * of dW * 2^e2 must equal the XNorm the probes report */
    Fixture f;
    make(&f, DT_F64, ACT_SIGMOID, 25, 16, 8, INIT_STANDARD, 0, 5);
    Net *n = &f.net;
    net_forward(n, 8);
    net_loss(n, LOSS_XENT, f.y, 8, NULL, 1);
    net_backward(n, 8, 1, NULL, NULL);
    LayerStats st[26];
    double scratch[6 * (64)];
    probe_layers(n, 8, st, scratch);
    assert_true(n->layers[0].e2 < -16);
    double ss = 0;
    const double *dW = n->layers[0].dW;
    for (size_t i = 0; i < 4 * 16; i++) {
        double g = ldexp(dW[i], n->layers[0].e2);
        ss += g * g;
    }
    assert_true(ss > 0);
    assert_near(xnorm_log10(st[0].grad_w), 0.5 * log10(ss), 1e-12);
    unmake(&f);
}

/* Same seed, same bits; float32 and float64 start from the same (rounded) weights. */
static void test_deterministic(void **state)
{
    (void)state;
    Fixture a, b;
    make(&a, DT_F32, ACT_TANH, 4, 8, 8, INIT_ORTHOGONAL, 0.05, 9);
    make(&b, DT_F32, ACT_TANH, 4, 8, 8, INIT_ORTHOGONAL, 0.05, 9);
    for (Fixture *f = &a; f; f = f == &a ? &b : NULL) {
        net_forward(&f->net, 8);
        net_loss(&f->net, LOSS_XENT, f->y, 8, NULL, 1);
        net_backward(&f->net, 8, 0, NULL, NULL);
    }
    assert_memory_equal(a.net.params, b.net.params, a.net.nparams * sizeof(float));
    assert_memory_equal(a.net.grads, b.net.grads, a.net.nparams * sizeof(float));
    unmake(&a);
    unmake(&b);
}

/* net_bytes refuses absurd sizes instead of wrapping around. */
static void test_net_bytes(void **state)
{
    (void)state;
    NetSpec s = {.dtype = DT_F32, .in_dim = 10, .width = 1000000, .out_dim = 10,
                 .batch = 64, .depth = 100000, .act = ACT_RELU};
    assert_true(net_bytes(&s) > ((size_t)1 << 40));
    s.width = 8, s.depth = 2;
    size_t small = net_bytes(&s);
    assert_true(small > 4 * (10 * 8 + 8 * 8 + 8 * 10) && small < 100000);
}

/* The net keeps z only: net_act gives f(z) of any layer in any order, for the rows of the
 * last forward pass, again after a pass on fewer rows, and the logits for the output. */
static void test_outputs_from_z(void **state)
{
    (void)state;
    Fixture f;
    make(&f, DT_F64, ACT_SIGMOID, 5, 6, 8, INIT_XAVIER_NORMAL, 0.1, 4);
    Net *n = &f.net;
    const int order[] = {0, 1, 2, 3, 4, 0, 2, 4, 1, 3, 3, 0};
    double want[8 * 6];
    for (size_t m = 8; m > 0; m = m == 8 ? 3 : 0) {
        net_forward(n, m);
        for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
            int l = order[k];
            const double *z = n->layers[l].z;
            for (size_t i = 0; i < m * 6; i++) want[i] = 1 / (1 + exp(-z[i]));
            const double *a = net_act(n, l, m);
            for (size_t i = 0; i < m * 6; i++)
                if (fabs(a[i] - want[i]) > 1e-15)
                    fail_msg("m=%zu layer %d output %zu: %.17g, want %.17g", m, l, i, a[i],
                             want[i]);
        }
        assert_ptr_equal(net_act(n, 5, m), n->layers[5].z);
    }
    unmake(&f);
    /* one hidden layer: a second pass with other weights must not reuse the first's a */
    make(&f, DT_F64, ACT_SIGMOID, 1, 6, 8, INIT_XAVIER_NORMAL, 0.1, 4);
    n = &f.net;
    net_forward(n, 8);
    ((double *)n->layers[0].W)[0] += 1.0;
    net_forward(n, 8);
    const double *z = n->layers[0].z, *a = net_act(n, 0, 8);
    for (size_t i = 0; i < 8 * 6; i++) assert_true(fabs(a[i] - 1 / (1 + exp(-z[i]))) <= 1e-15);
    unmake(&f);
}

/* What the net allocates is the arithmetic minimum of backprop (parameters, gradients,
 * the input and one (batch, width) tensor per layer) plus four (batch, width) buffers
 * (two deltas, two outputs): within 2% for a wide net and 10% for a deep narrow one. */
static void test_memory_near_minimum(void **state)
{
    (void)state;
    const long depth[2] = {50, 1000};
    const size_t width[2] = {1024, 64}, batch[2] = {256, 32};
    for (int k = 0; k < 2; k++) {
        NetSpec s = {.dtype = DT_F32, .in_dim = width[k], .width = width[k], .out_dim = 10,
                     .batch = batch[k], .depth = depth[k], .act = ACT_RELU};
        double W = (double)width[k], B = (double)batch[k], L = (double)depth[k];
        double params = W * W * L + W * L + W * 10 + 10;
        double minimum = 4 * (2 * params + B * W + B * (W * L + 10));
        double ratio = (double)net_bytes(&s) / minimum;
        if (ratio < 1 || ratio > (k ? 1.10 : 1.02))
            fail_msg("depth %ld width %zu: net_bytes / minimum = %.4f", depth[k], width[k], ratio);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradcheck_all),
        cmocka_unit_test(test_gradcheck_residual),
        cmocka_unit_test(test_residual_forward),
        cmocka_unit_test(test_loss_values),
        cmocka_unit_test(test_deep_exact_norms),
        cmocka_unit_test(test_residual_exact_norms),
        cmocka_unit_test(test_scaling_bookkeeping),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_net_bytes),
        cmocka_unit_test(test_outputs_from_z),
        cmocka_unit_test(test_memory_near_minimum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
