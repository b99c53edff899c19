/* Normalization layers (--norm batch|layer): the net's gradients of W, b, gamma and beta
 * against central differences (float64), plain and inside residual blocks, for every
 * activation and both losses; batch norm's running statistics and layer norm's forward
 * pass against hand computations; the fused step against the unfused one; float32 against
 * float64. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "optim.h"
#include "probe.h"
#include "testutil.h"

#define IN 4
#define OUT 3
#define MAXB 8

typedef struct {
    Net net;
    Dataset d;
    int32_t y[MAXB];
    Rng r;
} Fixture;

/* A small net with random weights, biases, gamma, beta and inputs, all from one seed. */
static void make_dt(Fixture *f, Dtype dt, NormKind norm, ActKind act, long depth,
                    size_t width, size_t batch, long resid_k, double alpha, uint64_t seed)
{
    NetSpec s = {.dtype = dt, .in_dim = IN, .width = width, .out_dim = OUT,
                 .batch = batch, .depth = depth, .act = act,
                 .ap = {.alpha = 0.01, .relu_grad_at_zero = 0}, .resid_k = resid_k,
                 .resid_scale = alpha, .norm = norm, .norm_eps = 1e-5};
    GtErr e;
    assert_int_equal(net_create(&f->net, &s, &e), GT_OK);
    rng_seed(&f->r, seed, RNG_INIT);
    assert_int_equal(net_init_params(&f->net, INIT_XAVIER_NORMAL, 1.0, 0.1, &f->r, &e), GT_OK);
    for (int l = 0; l + 1 < f->net.nlayers; l++) {
        const Layer *L = &f->net.layers[l];
        assert_non_null(L->gamma);
        for (size_t j = 0; j < width; j++) {
            /* the initial values, then away from them so every term of backward counts */
            assert_true(dtype_get(dt, L->gamma, j) == 1.0 && dtype_get(dt, L->beta, j) == 0.0);
            dtype_set(dt, L->gamma, j, 1 + 0.3 * rng_normal(&f->r));
            dtype_set(dt, L->beta, j, 0.2 * rng_normal(&f->r));
        }
    }
    assert_null(f->net.layers[f->net.nlayers - 1].gamma); /* the output layer has none */
    f->d.n = batch;
    f->d.dim = IN;
    f->d.classes = OUT;
    f->d.x = malloc(batch * IN * sizeof(double));
    f->d.y = f->y;
    for (size_t i = 0; i < batch * IN; i++) f->d.x[i] = rng_normal(&f->r);
    for (size_t i = 0; i < batch; i++) f->y[i] = (int32_t)rng_below(&f->r, OUT);
    net_load_input(&f->net, &f->d, NULL, 0, batch);
}

static void make(Fixture *f, NormKind norm, ActKind act, long depth, size_t width,
                 size_t batch, long resid_k, double alpha, uint64_t seed)
{
    make_dt(f, DT_F64, norm, act, depth, width, batch, resid_k, alpha, seed);
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

/* Every analytic parameter gradient (W, b, gamma, beta) against a central difference of
 * the batch-mean loss (batch norm: the batch's statistics move with the parameters too),
 * with guards that the gradients checked are not trivially zero. */
static void gradcheck(NormKind norm, ActKind act, LossKind loss, long depth, long resid_k,
                      double alpha)
{
    Fixture f;
    make(&f, norm, act, depth, 5, 6, resid_k, alpha, 11 + (uint64_t)act);
    Net *n = &f.net;
    net_forward(n, f.d.n);
    net_loss(n, loss, f.y, f.d.n, NULL, 1);
    net_backward(n, f.d.n, 0, NULL, NULL);
    double worst = 0, gnorm = 0, layer1 = 0, gamma_beta = 0;
    const double h = 1e-6;
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        for (int part = 0; part < 4; part++) {
            double *p = (double *)(part == 0 ? L->W : part == 1 ? L->b : part == 2 ? L->gamma : L->beta);
            const double *g = part == 0 ? L->dW : part == 1 ? L->db : part == 2 ? L->dgamma : L->dbeta;
            if (!p) continue;
            double sc = ldexp(1.0, part < 2 ? L->e2 : L->e2n);
            size_t cnt = part == 0 ? L->fan_in * L->fan_out : L->fan_out;
            for (size_t i = 0; i < cnt; i++) {
                double keep = p[i];
                p[i] = keep + h;
                double up = loss_at(&f, loss);
                p[i] = keep - h;
                double down = loss_at(&f, loss);
                p[i] = keep;
                double num = (up - down) / (2 * h), ana = g[i] * sc;
                /* the floor: a difference of losses near 1 rounds to ~1e-16 / h = 1e-10 */
                double err = fabs(num - ana) / fmax(1e-3, fabs(num) + fabs(ana));
                /* batch norm subtracts the batch mean: the bias before it gets no gradient */
                if (norm == NORM_BATCH && part == 1 && l + 1 < n->nlayers)
                    assert_true(fabs(ana) < 1e-12);
                if (err > worst) worst = err;
                gnorm += ana * ana;
                if (l == 0) layer1 += ana * ana;
                if (part >= 2) gamma_beta += ana * ana;
            }
        }
    }
    if (worst > 1e-5)
        print_error("%s norm, %s/%s depth %ld residual %ld x %g: worst relative error %g\n",
                    norm_name(norm), act_get(act)->name, loss == LOSS_XENT ? "xent" : "mse",
                    depth, resid_k, alpha, worst);
    assert_true(worst <= 1e-5);
    assert_true(sqrt(gnorm) > 1e-3);
    assert_true(sqrt(layer1) > 1e-6);
    assert_true(sqrt(gamma_beta) > 1e-4);
    unmake(&f);
}

static void test_gradcheck_norm(void **state)
{
    (void)state;
    for (int norm = NORM_BATCH; norm <= NORM_LAYER; norm++)
        for (int a = 0; a < ACT_COUNT; a++)
            for (int loss = 0; loss < 2; loss++)
                gradcheck((NormKind)norm, (ActKind)a, (LossKind)loss, 3, 0, 0);
}

/* Inside residual blocks of one and two layers: a block's layers are dense -> norm -> f. */
static void test_gradcheck_norm_residual(void **state)
{
    (void)state;
    for (int norm = NORM_BATCH; norm <= NORM_LAYER; norm++)
        for (int a = 0; a < ACT_COUNT; a++)
            for (int loss = 0; loss < 2; loss++) {
                gradcheck((NormKind)norm, (ActKind)a, (LossKind)loss, 3, 1, 1.0);
                gradcheck((NormKind)norm, (ActKind)a, (LossKind)loss, 5, 2, 0.5);
            }
}

/* z = a.W + b of layer L in double, for m rows of input a (fan_in wide). */
static void dense(const Layer *L, const double *a, size_t m, double *z)
{
    const double *W = L->W, *b = L->b;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < L->fan_out; j++) {
            double s = b[j];
            for (size_t k = 0; k < L->fan_in; k++) s += a[i * L->fan_in + k] * W[k * L->fan_out + j];
            z[i * L->fan_out + j] = s;
        }
}

/* After n training steps (forward, backward, an SGD update, new inputs each time) the
 * running mean and variance of both hidden layers are what BatchNorm1d's rule gives from
 * batch statistics computed here (running_var from the unbiased variance); evaluation
 * then normalises with them and leaves them alone. */
static void test_running_stats(void **state)
{
    (void)state;
    enum { W = 5, B = 7, STEPS = 4 };
    Fixture f;
    make(&f, NORM_BATCH, ACT_TANH, 2, W, B, 0, 0, 3);
    Net *n = &f.net;
    Optim o;
    GtErr e;
    assert_int_equal(optim_create(&o, n, OPT_SGD, 0.1, 0, &e), GT_OK);
    double rm[2][W], rv[2][W], z[B * W], a[B * W];
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < W; j++) rm[l][j] = 0, rv[l][j] = 1;
    for (int s = 0; s < STEPS; s++) {
        for (size_t i = 0; i < B * IN; i++) f.d.x[i] = rng_normal(&f.r);
        net_load_input(n, &f.d, NULL, 0, B);
        /* by hand, from this step's parameters */
        const double *in = n->x;
        for (int l = 0; l < 2; l++) {
            const Layer *L = &n->layers[l];
            const double *g = L->gamma, *be = L->beta;
            dense(L, in, B, z);
            for (int j = 0; j < W; j++) {
                double mean = 0, ss = 0;
                for (int i = 0; i < B; i++) mean += z[i * W + j] / B;
                for (int i = 0; i < B; i++) ss += (z[i * W + j] - mean) * (z[i * W + j] - mean);
                rm[l][j] = 0.9 * rm[l][j] + 0.1 * mean;
                rv[l][j] = 0.9 * rv[l][j] + 0.1 * ss / (B - 1);
                for (int i = 0; i < B; i++)
                    a[i * W + j] = tanh(g[j] * (z[i * W + j] - mean) / sqrt(ss / B + 1e-5) + be[j]);
            }
            in = a;
        }
        net_forward(n, B);
        net_loss(n, LOSS_XENT, f.y, B, NULL, 1);
        net_backward(n, B, 0, NULL, NULL);
        optim_step(&o, n, NULL);
        for (int l = 0; l < 2; l++)
            for (int j = 0; j < W; j++) {
                assert_near(((double *)n->layers[l].run_mean)[j], rm[l][j], 1e-14);
                assert_near(((double *)n->layers[l].run_var)[j], rv[l][j], 1e-14);
            }
    }
    /* gamma and beta were trained */
    assert_true(((double *)n->layers[0].gamma)[0] != 0 && o.t == STEPS);
    double keep_rv = ((double *)n->layers[1].run_var)[2];
    net_forward_eval(n, 3);
    assert_true(((double *)n->layers[1].run_var)[2] == keep_rv);
    const Layer *L = &n->layers[0];
    dense(L, n->x, 3, z);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < W; j++) {
            double want = ((double *)L->gamma)[j] * (z[i * W + j] - rm[0][j]) /
                              sqrt(rv[0][j] + 1e-5) + ((double *)L->beta)[j];
            assert_near(((double *)L->u)[i * W + j], want, 1e-13);
        }
    optim_free(&o);
    unmake(&f);
}

/* Layer norm per sample over the units (biased variance), the same in evaluation. */
static void test_layer_forward(void **state)
{
    (void)state;
    enum { W = 6, B = 5 };
    Fixture f;
    make(&f, NORM_LAYER, ACT_RELU, 2, W, B, 0, 0, 9);
    Net *n = &f.net;
    double z[B * W];
    for (int pass = 0; pass < 2; pass++) {
        if (pass) net_forward_eval(n, B);
        else net_forward(n, B);
        const Layer *L = &n->layers[0];
        dense(L, n->x, B, z);
        for (int i = 0; i < B; i++) {
            double mean = 0, ss = 0;
            for (int j = 0; j < W; j++) mean += z[i * W + j] / W;
            for (int j = 0; j < W; j++) ss += (z[i * W + j] - mean) * (z[i * W + j] - mean);
            for (int j = 0; j < W; j++) {
                double want = ((double *)L->gamma)[j] * (z[i * W + j] - mean) / sqrt(ss / W + 1e-5) +
                              ((double *)L->beta)[j];
                assert_near(((double *)L->u)[i * W + j], want, 1e-13);
            }
        }
    }
    unmake(&f);
}

typedef struct {
    Optim *o;
    LayerStats *st;
    double *scratch;
} DoneCtx;

static void layer_done(void *ctx, Net *n, int l)
{
    const DoneCtx *c = ctx;
    probe_layer_done(n, l, n->batch, c->st, c->scratch);
    optim_layer(c->o, n, l, &c->st[l]);
}

/* The fused step (probes and update of each layer as backward finishes it) gives the bits
 * of backward, then probes, then the update, over three momentum steps: backward reads
 * gamma and beta of layer l - 1 before layer l - 1 is updated. */
static void test_fused_step(void **state)
{
    (void)state;
    for (int norm = NORM_BATCH; norm <= NORM_LAYER; norm++)
        for (long K = 0; K <= 1; K++) {
            Fixture f[2];
            Optim o[2];
            LayerStats st[2][6];
            double scratch[6 * 8];
            GtErr e;
            for (int k = 0; k < 2; k++) {
                make_dt(&f[k], DT_F32, (NormKind)norm, ACT_TANH, 5, 8, 6, K, 1.0, 5);
                assert_int_equal(optim_create(&o[k], &f[k].net, OPT_MOMENTUM, 0.1, 0.9, &e), GT_OK);
            }
            for (int s = 0; s < 3; s++)
                for (int k = 0; k < 2; k++) {
                    Net *n = &f[k].net;
                    net_forward(n, 6);
                    net_loss(n, LOSS_XENT, f[k].y, 6, NULL, 1);
                    if (k == 0) {
                        DoneCtx c = {&o[0], st[0], scratch};
                        optim_begin(&o[0]);
                        net_backward(n, 6, 1, layer_done, &c);
                    } else {
                        net_backward(n, 6, 1, NULL, NULL);
                        probe_layers(n, 6, st[1], scratch);
                        optim_step(&o[1], n, st[1]);
                    }
                }
            Net *a = &f[0].net, *b = &f[1].net;
            assert_memory_equal(a->params, b->params, a->nparams * sizeof(float));
            assert_memory_equal(a->running, b->running, a->nrunning * sizeof(float));
            for (int l = 0; l < a->nlayers; l++) {
                assert_true(st[0][l].has_norm == (l + 1 < a->nlayers));
                assert_true(xnorm_value(st[0][l].grad_w) == xnorm_value(st[1][l].grad_w));
                if (st[0][l].has_norm) {
                    assert_true(xnorm_value(st[0][l].grad_gamma) > 0);
                    assert_true(xnorm_value(st[0][l].grad_gamma) == xnorm_value(st[1][l].grad_gamma));
                    assert_true(xnorm_value(st[0][l].grad_beta) == xnorm_value(st[1][l].grad_beta));
                }
            }
            for (int k = 0; k < 2; k++) {
                optim_free(&o[k]);
                unmake(&f[k]);
            }
        }
}

/* float32 nets with norm keep their gradients within float32's rounding of float64's. */
static void test_float32(void **state)
{
    (void)state;
    for (int norm = NORM_BATCH; norm <= NORM_LAYER; norm++) {
        Fixture f[2];
        LayerStats st[2][8];
        double scratch[6 * 8];
        for (int k = 0; k < 2; k++) {
            make_dt(&f[k], k ? DT_F64 : DT_F32, (NormKind)norm, ACT_SIGMOID, 7, 8, 8, 0, 0, 21);
            Net *n = &f[k].net;
            net_forward(n, 8);
            net_loss(n, LOSS_XENT, f[k].y, 8, NULL, 1);
            net_backward(n, 8, 1, NULL, NULL);
            probe_layers(n, 8, st[k], scratch);
        }
        for (int l = 0; l < 8; l++) {
            double w32 = xnorm_value(st[0][l].grad_w), w64 = xnorm_value(st[1][l].grad_w);
            assert_true(w64 > 1e-6 && fabs(w32 - w64) <= 1e-4 * w64);
            double d32 = xnorm_value(st[0][l].delta), d64 = xnorm_value(st[1][l].delta);
            assert_true(fabs(d32 - d64) <= 1e-4 * d64);
            if (l == 7) continue;
            double g32 = xnorm_value(st[0][l].grad_gamma), g64 = xnorm_value(st[1][l].grad_gamma);
            assert_true(g64 > 1e-6 && fabs(g32 - g64) <= 1e-4 * g64);
            double b32 = xnorm_value(st[0][l].grad_beta), b64 = xnorm_value(st[1][l].grad_beta);
            assert_true(b64 > 1e-6 && fabs(b32 - b64) <= 1e-4 * b64);
        }
        for (int k = 0; k < 2; k++) unmake(&f[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradcheck_norm),
        cmocka_unit_test(test_gradcheck_norm_residual),
        cmocka_unit_test(test_running_stats),
        cmocka_unit_test(test_layer_forward),
        cmocka_unit_test(test_fused_step),
        cmocka_unit_test(test_float32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
