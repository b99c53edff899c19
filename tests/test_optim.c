/* Tests for optim.c: sgd, momentum (PyTorch's v = mu v + g, w -= lr v) and bias-corrected
 * adam on a tiny net whose weights and scaled gradients are written by hand, three steps,
 * against updates computed here in double; the 2^e2 gradient scale (e2 = -40 on one layer);
 * and the update columns of layers.csv (weight_l2, update_ratio, frac_update_zero),
 * including float32 updates too small to change a weight. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "optim.h"
#include "probe.h"

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

/* in 2, width 2, out 2, one hidden layer: W1, b1, W2, b2 of 4, 2, 4, 2 entries */
static void make_net(Net *n, Dtype t)
{
    NetSpec s = {.dtype = t, .in_dim = 2, .width = 2, .out_dim = 2, .batch = 1, .depth = 1,
                 .act = ACT_RELU, .ap = {.alpha = 0.01}};
    GtErr e = {0};
    assert_int_equal(net_create(n, &s, &e), GT_OK);
}

/* A parameter tensor of the test: where it lives in the net and its reference state. */
enum { NT = 4, MAXP = 4 };
typedef struct {
    int layer, is_bias;
    size_t len;
    double w[MAXP], g[MAXP]; /* w: reference weights; g: scaled gradient as stored */
    double m[MAXP], v[MAXP]; /* reference optimiser state */
    double moved[MAXP];      /* sum of |update|: the scale of the accumulated rounding */
} Tensor;

static void *wbuf(Net *n, const Tensor *t)
{
    return t->is_bias ? n->layers[t->layer].b : n->layers[t->layer].W;
}
static void *gbuf(Net *n, const Tensor *t)
{
    return t->is_bias ? n->layers[t->layer].db : n->layers[t->layer].dW;
}

static void init_tensors(Tensor T[NT])
{
    memset(T, 0, NT * sizeof *T);
    /* layer 0: weights near 1e-12 and true gradients g * 2^-40 ~ 5e-13, so that a lost
     * or doubled scale changes the result by orders of magnitude */
    T[0] = (Tensor){.layer = 0, .is_bias = 0, .len = 4,
                    .w = {1.5e-12, -2e-12, 3e-12, 0.5e-12}, .g = {0.5, -0.25, 0.75, 1.0}};
    T[1] = (Tensor){.layer = 0, .is_bias = 1, .len = 2, .w = {1e-12, -1e-12}, .g = {0.125, -0.5}};
    T[2] = (Tensor){.layer = 1, .is_bias = 0, .len = 4,
                    .w = {0.5, -0.3, 0.2, 0.8}, .g = {0.2, -0.1, 0.05, 0.3}};
    T[3] = (Tensor){.layer = 1, .is_bias = 1, .len = 2, .w = {0.1, 0}, .g = {0.4, -0.2}};
}

static const int E2[2] = {-40, 0};
static const double GMUL[3] = {1, -0.5, 2}; /* gradients of steps 1..3: g * GMUL[s] */

static void run_optimizer(Dtype dt, OptKind kind, double lr, double mu)
{
    Net n;
    make_net(&n, dt);
    Tensor T[NT];
    init_tensors(T);
    for (int k = 0; k < NT; k++)
        for (size_t i = 0; i < T[k].len; i++) setv(&n, wbuf(&n, &T[k]), i, T[k].w[i]);
    /* the reference starts from what the dtype holds */
    for (int k = 0; k < NT; k++)
        for (size_t i = 0; i < T[k].len; i++) T[k].w[i] = getv(&n, wbuf(&n, &T[k]), i);
    Optim o;
    GtErr e = {0};
    assert_int_equal(optim_create(&o, &n, kind, lr, mu, &e), GT_OK);
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (int s = 0; s < 3; s++) {
        n.layers[0].e2 = E2[0];
        n.layers[1].e2 = E2[1];
        for (int k = 0; k < NT; k++)
            for (size_t i = 0; i < T[k].len; i++) setv(&n, gbuf(&n, &T[k]), i, T[k].g[i] * GMUL[s]);
        LayerStats st[2];
        memset(st, 0, sizeof st);
        optim_step(&o, &n, s == 2 ? st : NULL);
        assert_int_equal(o.t, s + 1);
        double t = s + 1;
        double wss[2] = {0}, dss[2] = {0};
        for (int k = 0; k < NT; k++) {
            Tensor *P = &T[k];
            for (size_t i = 0; i < P->len; i++) {
                double g = ldexp(getv(&n, gbuf(&n, P), i), E2[P->layer]), u;
                if (kind == OPT_SGD) {
                    u = lr * g;
                } else if (kind == OPT_MOMENTUM) {
                    P->m[i] = mu * P->m[i] + g;
                    u = lr * P->m[i];
                } else {
                    P->m[i] = b1 * P->m[i] + (1 - b1) * g;
                    P->v[i] = b2 * P->v[i] + (1 - b2) * g * g;
                    double mh = P->m[i] / (1 - pow(b1, t)), vh = P->v[i] / (1 - pow(b2, t));
                    u = lr * mh / (sqrt(vh) + eps);
                }
                if (!P->is_bias) {
                    wss[P->layer] += P->w[i] * P->w[i];
                    dss[P->layer] += u * u;
                }
                P->w[i] -= u;
                P->moved[i] += fabs(u);
                double got = getv(&n, wbuf(&n, P), i);
                double tol = (dt == DT_F32 ? 1e-5 : 1e-12) * (fabs(P->w[i]) + P->moved[i]);
                if (!(fabs(got - P->w[i]) <= tol)) {
                    print_error("%s dtype %d step %d tensor %d[%zu]: got %.17g want %.17g\n",
                                kind == OPT_SGD ? "sgd" : kind == OPT_MOMENTUM ? "momentum" : "adam",
                                (int)dt, s + 1, k, i, got, P->w[i]);
                    fail();
                }
            }
        }
        if (s == 2) {
            double rt = dt == DT_F32 ? 1e-4 : 1e-10;
            for (int l = 0; l < 2; l++) {
                double r = fabs(st[l].weight_l2 - sqrt(wss[l])) / sqrt(wss[l]);
                if (!(r <= (dt == DT_F32 ? 1e-6 : 1e-14))) {
                    print_error("layer %d weight_l2 %.17g want %.17g\n", l, st[l].weight_l2,
                                sqrt(wss[l]));
                    fail();
                }
                double want = sqrt(dss[l] / wss[l]);
                if (!(fabs(st[l].update_ratio - want) <= rt * want)) {
                    print_error("layer %d update_ratio %.17g want %.17g\n", l, st[l].update_ratio,
                                want);
                    fail();
                }
                assert_true(st[l].frac_update_zero == 0);
            }
        }
    }
    optim_free(&o);
    net_free(&n);
}

static void test_sgd(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) run_optimizer(DTYPES[t], OPT_SGD, 0.1, 0);
}

static void test_momentum(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) run_optimizer(DTYPES[t], OPT_MOMENTUM, 0.1, 0.9);
}

static void test_adam(void **state)
{
    (void)state;
    /* layer 0's true gradients (~5e-13) are far below eps: its update is ~lr g / eps, so
     * the 2^-40 scale shows up linearly there and layer 1 checks the bias correction */
    for (int t = 0; t < 2; t++) run_optimizer(DTYPES[t], OPT_ADAM, 0.01, 0);
}

static void test_defaults_of_create(void **state)
{
    (void)state;
    Net n;
    make_net(&n, DT_F32);
    Optim o;
    GtErr e = {0};
    assert_int_equal(optim_create(&o, &n, OPT_ADAM, 0.5, 0.7, &e), GT_OK);
    assert_true(o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8);
    assert_true(o.lr == 0.5 && o.momentum == 0.7);
    assert_int_equal(o.t, 0);
    optim_free(&o);
    assert_null(o.state);
    net_free(&n);
}

/* Statistics of one sgd step: exact-zero gradients, and in float32 updates that round away
 * (w = 1, g = 1e-10, lr = 0.01: 1 - 1e-12 is 1 in float, not in double). */
static void test_update_stats(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Dtype dt = DTYPES[t];
        Net n;
        make_net(&n, dt);
        Layer *L0 = &n.layers[0], *L1 = &n.layers[1];
        const double w0[4] = {1, 1, 1, 2}, g0[4] = {0, 1e-10, 0.5, 0.25};
        const double w1[4] = {3, 0, -4, 0};
        for (int i = 0; i < 4; i++) {
            setv(&n, L0->W, i, w0[i]);
            setv(&n, L0->dW, i, g0[i]);
            setv(&n, L1->W, i, w1[i]);
            setv(&n, L1->dW, i, 0.0); /* layer 2: no gradient at all */
        }
        setv(&n, L0->db, 0, 1.0); /* bias updates are not part of the weight columns */
        setv(&n, L1->db, 1, 1.0);
        Optim o;
        GtErr e = {0};
        assert_int_equal(optim_create(&o, &n, OPT_SGD, 0.01, 0, &e), GT_OK);
        LayerStats st[2];
        memset(st, 0, sizeof st);
        optim_step(&o, &n, st);
        assert_true(fabs(st[0].weight_l2 - sqrt(7.0)) <= 1e-15);
        assert_true(fabs(st[1].weight_l2 - 5.0) <= 1e-15);
        assert_true(st[0].frac_update_zero == (dt == DT_F32 ? 0.5 : 0.25));
        assert_true(st[1].frac_update_zero == 1.0);
        assert_true(st[1].update_ratio == 0);
        double d2 = 0.005 * 0.005 + 0.0025 * 0.0025 + (dt == DT_F64 ? 1e-24 : 0);
        double want = sqrt(d2 / 7.0);
        assert_true(fabs(st[0].update_ratio - want) <= (dt == DT_F32 ? 1e-4 : 1e-12) * want);
        /* the weights themselves: the rounded-away update left w at exactly 1 in float */
        assert_true(getv(&n, L0->W, 0) == 1.0);
        if (dt == DT_F32) assert_true(getv(&n, L0->W, 1) == 1.0);
        else assert_true(getv(&n, L0->W, 1) == 1.0 - 1e-12);
        assert_true(getv(&n, L0->b, 0) == (dt == DT_F32 ? (double)-0.01f : -0.01));
        optim_free(&o);

        /* adam and momentum leave a zero-gradient weight exactly where it was, too */
        for (int k = 0; k < 2; k++) {
            assert_int_equal(optim_create(&o, &n, k ? OPT_ADAM : OPT_MOMENTUM, 0.01, 0.9, &e),
                             GT_OK);
            optim_step(&o, &n, st);
            assert_true(st[1].frac_update_zero == 1.0);
            assert_true(st[0].frac_update_zero >= 0.25);
            optim_free(&o);
        }
        net_free(&n);
    }
}

/* float32 with the scale 2^e2 itself outside float's range, while g * 2^e2 is not:
 * e2 = 130 (exploding nets reach it: e2 accumulates over layers while the stored values
 * stay near 1) and e2 = -160. An exactly-zero gradient must leave its weight alone (not
 * 0 * inf = NaN), and representable true gradients must be applied as they are. */
static void test_scale_outside_float_range(void **state)
{
    (void)state;
    Net n;
    make_net(&n, DT_F32);
    Layer *L0 = &n.layers[0], *L1 = &n.layers[1];
    float *w0 = L0->W, *g0 = L0->dW, *w1 = L1->W, *g1 = L1->dW;
    w0[0] = 1; g0[0] = 0;                   /* true gradient exactly 0 */
    w0[1] = 1; g0[1] = ldexpf(1, -17);      /* true gradient 2^113 < FLT_MAX */
    w1[0] = 1; g1[0] = 0;
    w1[1] = 0; g1[1] = ldexpf(1, 15);       /* true gradient 2^-145, a float subnormal */
    L0->e2 = 130;
    L1->e2 = -160;
    Optim o;
    GtErr e = {0};
    /* lr 2^-113 makes layer 0's update exactly 1; layer 1 then moves by 2^-258 -> 0, so
     * step layer 1 separately with lr 1 */
    assert_int_equal(optim_create(&o, &n, OPT_SGD, ldexp(1, -113), 0, &e), GT_OK);
    optim_step(&o, &n, NULL);
    if (!(w0[0] == 1 && w0[1] == 0 && w1[0] == 1)) {
        print_error("e2 = 130: w = %.9g %.9g (want 1 0), zero-gradient w of layer 2 %.9g\n",
                    (double)w0[0], (double)w0[1], (double)w1[0]);
        fail();
    }
    optim_free(&o);
    L0->e2 = 0;
    g0[1] = 0;
    assert_int_equal(optim_create(&o, &n, OPT_SGD, 1.0, 0, &e), GT_OK);
    optim_step(&o, &n, NULL);
    if (!(w1[1] == -ldexpf(1, -145))) {
        print_error("e2 = -160: w = %.9g, want -2^-145 = %.9g\n", (double)w1[1],
                    -ldexp(1, -145));
        fail();
    }
    optim_free(&o);
    net_free(&n);
}

/* With and without statistics the same update is applied. */
static void test_stats_do_not_change_the_update(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        Net a, b;
        make_net(&a, DTYPES[t]);
        make_net(&b, DTYPES[t]);
        Optim oa, ob;
        GtErr e = {0};
        assert_int_equal(optim_create(&oa, &a, OPT_ADAM, 0.01, 0, &e), GT_OK);
        assert_int_equal(optim_create(&ob, &b, OPT_ADAM, 0.01, 0, &e), GT_OK);
        for (int s = 0; s < 3; s++) {
            for (size_t i = 0; i < a.nparams; i++) {
                setv(&a, a.grads, i, sin((double)(i + 7 * s)));
                setv(&b, b.grads, i, sin((double)(i + 7 * s)));
            }
            a.layers[0].e2 = b.layers[0].e2 = -3 * s;
            LayerStats st[2];
            optim_step(&oa, &a, st);
            optim_step(&ob, &b, NULL);
        }
        assert_memory_equal(a.params, b.params, a.nparams * dtype_size(a.dtype));
        assert_true(getv(&a, a.layers[0].W, 0) != 0);
        optim_free(&oa);
        optim_free(&ob);
        net_free(&a);
        net_free(&b);
    }
}

/* Clipping as torch.nn.utils.clip_grad_norm_: gradients written by hand (scaled by 2^e2,
 * e2 = 3 on layer 2), their global norm computed here; above C every gradient becomes
 * g * C / (norm + 1e-6), at or below C nothing changes (bit for bit). */
static void test_clip_grad_norm(void **state)
{
    (void)state;
    for (size_t di = 0; di < 2; di++) {
        Net n;
        make_net(&n, DTYPES[di]);
        n.layers[0].e2 = 0;
        n.layers[1].e2 = 3;
        double ss = 0, keep[2][2][4];
        for (int l = 0; l < 2; l++)
            for (int part = 0; part < 2; part++) {
                Layer *L = &n.layers[l];
                size_t len = part ? L->fan_out : L->fan_in * L->fan_out;
                void *g = part ? L->db : L->dW;
                for (size_t i = 0; i < len; i++) {
                    double v = 0.25 * (double)(i + 1) * (part ? -1 : 1) + 0.5 * l;
                    setv(&n, g, i, v);
                    keep[l][part][i] = getv(&n, g, i);
                    double t = ldexp(keep[l][part][i], L->e2);
                    ss += t * t;
                }
            }
        double norm = sqrt(ss);
        assert_true(norm > 1); /* guard: a real gradient */
        XNorm got;
        assert_int_equal(optim_clip(&n, norm * 2, &got), 0);
        assert_true(fabs(xnorm_value(got) - norm) <= 1e-15 * norm);
        assert_int_equal(optim_clip(&n, norm, NULL), 1); /* norm / (norm + 1e-6) < 1 */
        for (int l = 0; l < 2; l++)
            for (int part = 0; part < 2; part++) {
                Layer *L = &n.layers[l];
                size_t len = part ? L->fan_out : L->fan_in * L->fan_out;
                for (size_t i = 0; i < len; i++) {
                    double was = keep[l][part][i], now = getv(&n, part ? L->db : L->dW, i);
                    double want = was * (norm / (norm + 1e-6));
                    double tol = (di == 0 ? 1e-7 : 1e-15) * fabs(want);
                    assert_true(fabs(now - want) <= tol);
                }
            }
        assert_int_equal(optim_clip(&n, norm / 4, &got), 1); /* the clipped norm, again */
        double want = norm / (norm + 1e-6) * norm, r = norm / 4 / (xnorm_value(got) + 1e-6);
        assert_true(fabs(xnorm_value(got) - want) <= (di == 0 ? 1e-6 : 1e-14) * want);
        for (size_t i = 0; i < 4; i++) {
            double now = getv(&n, n.layers[0].dW, i);
            double was = keep[0][0][i] * (norm / (norm + 1e-6));
            assert_true(fabs(now - was * r) <= (di == 0 ? 1e-6 : 1e-14) * fabs(was * r));
        }
        net_free(&n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd),
        cmocka_unit_test(test_momentum),
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_defaults_of_create),
        cmocka_unit_test(test_update_stats),
        cmocka_unit_test(test_stats_do_not_change_the_update),
        cmocka_unit_test(test_scale_outside_float_range),
        cmocka_unit_test(test_clip_grad_norm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
