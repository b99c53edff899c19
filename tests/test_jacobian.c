/* The input-output Jacobian spectrum (src/jacobian.h, issue 12): J against central
 * differences for every activation, exact isometry, log-determinants beyond double's range,
 * the mean-field prediction, and the binary's spectrum and run --jacobian-every outputs
 * (thread independence, traces unchanged by the probe). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "jacobian.h"
#include "proc.h"
#include "rng.h"
#include "testutil.h"
#include "tfiles.h"

static const char *g_bin;   /* $GRADTRACE */
static char g_tmp[PATHMAX]; /* scratch directory */

/* ---- helpers ------------------------------------------------------------------------------ */

/* h = f(h_prev W + b) for one sample, with the scalar reference f; z receives z. */
static void layer_forward(const Act *a, const ActParams *ap, const double *W, const double *b,
                          const double *h_prev, double *z, double *h, size_t N)
{
    for (size_t j = 0; j < N; j++) {
        double s = b[j];
        for (size_t i = 0; i < N; i++) s += h_prev[i] * W[i * N + j];
        z[j] = s;
        h[j] = a->f(s, ap);
    }
}

/* h_L from h_1 through layers 2..L (Ws[l], bs[l] for l = 0..L-2). */
static void forward_from_h1(const Act *a, const ActParams *ap, double *const *Ws,
                            double *const *bs, int layers, const double *h1, double *out,
                            size_t N)
{
    double *h = t_alloc(N * sizeof *h), *z = t_alloc(N * sizeof *z);
    memcpy(h, h1, N * sizeof *h);
    for (int l = 0; l < layers; l++) {
        layer_forward(a, ap, Ws[l], bs[l], h, z, out, N);
        memcpy(h, out, N * sizeof *h);
    }
    t_free(h);
    t_free(z);
}

static double sum_log10(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s;
}

/* log10 |det A| of an N x N matrix by LU (dgetrf); A is overwritten. */
static double log10_abs_det(double *A, size_t N)
{
    lapack_int *piv = t_alloc(N * sizeof *piv);
    lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, (lapack_int)N, (lapack_int)N, A,
                                     (lapack_int)N, piv);
    assert_int_equal(info, 0);
    double s = 0;
    for (size_t i = 0; i < N; i++) s += log10(fabs(A[i * N + i]));
    t_free(piv);
    return s;
}

/* ---- 1. quantiles ------------------------------------------------------------------------- */

static void test_quantiles(void **state)
{
    (void)state;
    const double desc[] = {4, 3, 2, 1, 0};
    assert_near(jac_quantile(desc, 5, 0.1), 0.4, 1e-15); /* h = 0.4: a0 + 0.4 (a1 - a0) */
    assert_near(jac_quantile(desc, 5, 0.5), 2.0, 0);
    assert_near(jac_quantile(desc, 5, 0.9), 3.6, 1e-15);
    assert_near(jac_quantile(desc, 5, 1.0), 4.0, 0);
    assert_near(jac_quantile(desc, 1, 0.9), 4.0, 0); /* one value: every quantile is it */
    /* exact zeros (log10 = -inf): the interpolation's limit, never NaN */
    const double z[] = {1, -INFINITY, -INFINITY};
    assert_true(isinf(jac_quantile(z, 3, 0.9)) && jac_quantile(z, 3, 0.9) < 0);
    assert_near(jac_quantile(z, 3, 1.0), 1.0, 0);
    JacSummary s;
    jac_summarize(z, 3, 0.0, &s);
    assert_true(isinf(s.cond_log10) && s.cond_log10 > 0);
    assert_near(s.max_log10, 1.0, 0);
}

/* ---- 2. J against central differences, every activation ---------------------------------- */

static void test_central_difference(void **state)
{
    (void)state;
    enum { N = 5, LAYERS = 3 }; /* layers 2..4 of a depth-4 net */
    const double eps = 1e-6;
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_get((ActKind)k);
        ActParams ap = {0.1, 0.0};
        Rng r;
        rng_seed(&r, 7 + (uint64_t)k, 1);
        double *Ws[LAYERS], *bs[LAYERS], *zs[LAYERS];
        double h1[N], h[N], hp[N], hm[N], x[N];
        for (int l = 0; l < LAYERS; l++) {
            Ws[l] = t_alloc(N * N * sizeof(double));
            bs[l] = t_alloc(N * sizeof(double));
            zs[l] = t_alloc(N * sizeof(double));
            for (int i = 0; i < N * N; i++) Ws[l][i] = sqrt(1.5 / N) * rng_normal(&r);
            for (int i = 0; i < N; i++) bs[l][i] = 0.3 * rng_normal(&r);
        }
        for (int i = 0; i < N; i++) h1[i] = rng_normal(&r);
        /* the analytic product from the forward pass's pre-activations */
        JacProd j;
        assert_int_equal(jac_create(&j, 1, N, NULL), GT_OK);
        memcpy(x, h1, sizeof x);
        for (int l = 0; l < LAYERS; l++) {
            layer_forward(a, &ap, Ws[l], bs[l], x, zs[l], h, N);
            memcpy(x, h, sizeof x);
            jac_layer(&j, Ws[l], zs[l], a, &ap);
        }
        double scale = ldexp(1.0, (int)j.e2[0]), jmax = 0;
        for (int i = 0; i < N; i++) {
            double saved = h1[i];
            h1[i] = saved + eps;
            forward_from_h1(a, &ap, Ws, bs, LAYERS, h1, hp, N);
            h1[i] = saved - eps;
            forward_from_h1(a, &ap, Ws, bs, LAYERS, h1, hm, N);
            h1[i] = saved;
            for (int o = 0; o < N; o++) {
                double fd = (hp[o] - hm[o]) / (2 * eps);
                double an = j.P[i * N + o] * scale; /* J^T[i][o] = dh_L[o]/dh_1[i] */
                jmax = fmax(jmax, fabs(an));
                if (!(fabs(fd - an) <= 1e-6 * (1 + fabs(an)))) {
                    print_error("%s: dh_L[%d]/dh_1[%d] analytic %.12g, central difference "
                                "%.12g\n", a->name, o, i, an, fd);
                    fail();
                }
            }
        }
        /* a vanishing-gradient project must not pass on an all-zero J */
        if (!(jmax > 1e-3)) {
            print_error("%s: max |J| = %g, the test compared nothing\n", a->name, jmax);
            fail();
        }
        jac_free(&j);
        for (int l = 0; l < LAYERS; l++) {
            t_free(Ws[l]);
            t_free(bs[l]);
            t_free(zs[l]);
        }
    }
}

/* ---- 2a. residual nets: J of the stream, I + alpha dF per block, against central
 * differences on a real net (jac_net: which layers start and end a block) ------------- */

/* h_L from the stream h_1 of a residual net of float64 layers 2..L in blocks of K */
static void resid_forward(const Net *n, const double *h1, double *out, size_t N)
{
    double *h = t_alloc(N * sizeof *h), *a = t_alloc(N * sizeof *a), *z = t_alloc(N * sizeof *z);
    memcpy(h, h1, N * sizeof *h);
    memcpy(a, h1, N * sizeof *a);
    for (int l = 1; l + 1 < n->nlayers; l++) {
        const Layer *L = &n->layers[l];
        double *next = t_alloc(N * sizeof *next);
        layer_forward(n->act, &n->ap, L->W, L->b, a, z, next, N);
        memcpy(a, next, N * sizeof *a);
        t_free(next);
        if (net_block_end(n, l)) { /* h <- h + alpha F(h); the next block reads h */
            for (size_t j = 0; j < N; j++) h[j] += n->resid_scale * a[j];
            memcpy(a, h, N * sizeof *a);
        }
    }
    memcpy(out, h, N * sizeof *out);
    t_free(h);
    t_free(a);
    t_free(z);
}

static void check_resid(ActKind act, long K, double alpha)
{
    enum { N = 5, M = 3 }; /* width, samples */
    const double eps = 1e-6;
    NetSpec ns = {.dtype = DT_F64, .in_dim = 4, .width = N, .out_dim = 3, .batch = M,
                  .depth = 1 + 2 * K, .act = act, .ap = {.alpha = 0.1, .relu_grad_at_zero = 0},
                  .resid_k = K, .resid_scale = alpha};
    Net n;
    GtErr e;
    assert_int_equal(net_create(&n, &ns, &e), GT_OK);
    Rng r;
    rng_seed(&r, 40 + (uint64_t)act, RNG_INIT);
    assert_int_equal(net_init_params(&n, INIT_GAUSSIAN, 1.5, 0.09, &r, &e), GT_OK);
    Dataset d = {.n = M, .dim = 4, .classes = 3};
    double x[M * 4];
    int32_t y[M] = {0};
    for (size_t i = 0; i < M * 4; i++) x[i] = rng_normal(&r);
    d.x = x;
    d.y = y;
    net_load_input(&n, &d, NULL, 0, M);
    net_forward(&n, M);
    JacProd j;
    assert_int_equal(jac_create(&j, M, N, &e), GT_OK);
    assert_int_equal(jac_create_blocks(&j, &e), GT_OK);
    jac_net(&j, &n, NULL, NULL); /* float64: no conversion scratch */
    double away = 0; /* max |J - I|: the branch must contribute */
    for (size_t s = 0; s < M; s++) {
        double h1[N], hp[N], hm[N], scale = ldexp(1.0, (int)j.e2[s]);
        memcpy(h1, (const double *)n.layers[0].h + s * N, sizeof h1);
        for (int i = 0; i < N; i++) {
            double saved = h1[i];
            h1[i] = saved + eps;
            resid_forward(&n, h1, hp, N);
            h1[i] = saved - eps;
            resid_forward(&n, h1, hm, N);
            h1[i] = saved;
            for (int o = 0; o < N; o++) {
                double fd = (hp[o] - hm[o]) / (2 * eps);
                double an = j.P[(s * N + (size_t)i) * N + (size_t)o] * scale;
                away = fmax(away, fabs(an - (i == o)));
                if (!(fabs(fd - an) <= 1e-6 * (1 + fabs(an)))) {
                    print_error("%s, K %ld, alpha %g, sample %zu: dh_L[%d]/dh_1[%d] analytic "
                                "%.12g, central difference %.12g\n", act_get(act)->name, K,
                                alpha, s, o, i, an, fd);
                    fail();
                }
            }
        }
        /* I + alpha dF: no exact zeros, even for relu (the plain nets' rank bound is off) */
        double sv[N];
        JacSummary su;
        assert_int_equal(jac_spectrum(&j, s, sv, &su, &e), GT_OK);
        assert_int_equal(j.rank[s], N);
        for (int k = 0; k < N; k++) assert_true(isfinite(sv[k]));
    }
    if (!(away > 1e-3)) {
        print_error("%s, K %ld: max |J - I| = %g, the blocks added nothing\n",
                    act_get(act)->name, K, away);
        fail();
    }
    jac_free(&j);
    net_free(&n);
}

static void test_residual(void **state)
{
    (void)state;
    for (int k = 0; k < ACT_COUNT; k++) {
        check_resid((ActKind)k, 1, 1.0);
        check_resid((ActKind)k, 2, 0.5);
    }
}

/* ---- 2b. exact zeros: rank J <= the fewest units with f' != 0 in a layer ---------------- */

static void test_rank_zeros(void **state)
{
    (void)state;
    enum { N = 6 };
    const Act *relu = act_get(ACT_RELU);
    ActParams ap = {0.01, 0};
    double W[N * N], z1[N], z2[N], sv[N];
    Rng r;
    rng_seed(&r, 9, RNG_INIT);
    for (int i = 0; i < N * N; i++) W[i] = rng_normal(&r);
    /* layer 2: units 0..3 off (z < 0), 4 and 5 on; layer 3: all on */
    for (int i = 0; i < N; i++) {
        z1[i] = i < 4 ? -1.0 - i : 0.5 + i;
        z2[i] = 1.0 + i;
    }
    JacProd j;
    assert_int_equal(jac_create(&j, 1, N, NULL), GT_OK);
    jac_layer(&j, W, z1, relu, &ap);
    jac_layer(&j, W, z2, relu, &ap);
    JacSummary s;
    assert_int_equal(jac_spectrum(&j, 0, sv, &s, NULL), GT_OK);
    for (int k = 0; k < N; k++) assert_true(k < 2 ? isfinite(sv[k]) : isinf(sv[k]) && sv[k] < 0);
    assert_true(isinf(s.q50_log10) && isinf(s.cond_log10));
    assert_true(isfinite(s.q90_log10) && isfinite(s.mean_sq_log10));
    jac_free(&j);
}

/* ---- 3. orthogonal weights, linear activation: every sigma is 1 -------------------------- */

static void test_orthogonal_isometry(void **state)
{
    (void)state;
    enum { N = 32, LAYERS = 50 };
    const Act *lin = act_get(ACT_LINEAR);
    ActParams ap = {0.01, 0};
    double *W = t_alloc(N * N * sizeof *W), z[N] = {0}, sv[N];
    Rng r;
    rng_seed(&r, 3, RNG_INIT);
    JacProd j;
    assert_int_equal(jac_create(&j, 1, N, NULL), GT_OK);
    for (int l = 0; l < LAYERS; l++) {
        assert_int_equal(init_weights(INIT_ORTHOGONAL, W, N, N, 1.0, &r, NULL), GT_OK);
        jac_layer(&j, W, z, lin, &ap);
    }
    JacSummary s;
    assert_int_equal(jac_spectrum(&j, 0, sv, &s, NULL), GT_OK);
    for (int k = 0; k < N; k++) assert_near(pow(10.0, sv[k]), 1.0, 1e-12);
    assert_near(s.mean_sq_log10, 0.0, 1e-12);
    assert_near(s.cond_log10, 0.0, 1e-12);
    assert_near(s.q50_log10, 0.0, 1e-12);
    jac_free(&j);
    t_free(W);
}

/* ---- 4. 2000 linear layers: sum log10 sigma = sum log10 |det W_l| beyond double's range -- */

static void test_linear_logdet(void **state)
{
    (void)state;
    enum { N = 6, LAYERS = 2000 };
    const Act *lin = act_get(ACT_LINEAR);
    ActParams ap = {0.01, 0};
    double *W = t_alloc(N * N * sizeof *W), *A = t_alloc(N * N * sizeof *A), z[N] = {0};
    double sv[N];
    Rng r;
    rng_seed(&r, 11, RNG_INIT);
    JacProd j;
    assert_int_equal(jac_create(&j, 1, N, NULL), GT_OK);
    double want = 0;
    for (int l = 0; l < LAYERS; l++) {
        /* W = 0.7 diag(d) Q with d in [0.98, 1.02]: |det W| = 0.7^N prod d, and the product
         * stays well conditioned (the d average out under the random rotations), so its
         * smallest singular value is resolved too; 0.7^(6 * 2000) is 1e-1859 */
        assert_int_equal(init_weights(INIT_ORTHOGONAL, W, N, N, 1.0, &r, NULL), GT_OK);
        for (int i = 0; i < N; i++) {
            double d = 0.7 * (0.98 + 0.04 * rng_uniform(&r));
            for (int c = 0; c < N; c++) W[i * N + c] *= d;
        }
        memcpy(A, W, N * N * sizeof *A);
        want += log10_abs_det(A, N);
        jac_layer(&j, W, z, lin, &ap);
    }
    JacSummary s;
    assert_int_equal(jac_spectrum(&j, 0, sv, &s, NULL), GT_OK);
    assert_true(want < -1800);
    assert_near(sum_log10(sv, N), want, 1e-9 * fabs(want));
    assert_true(s.cond_log10 < 3); /* the premise: no singular value at the rounding floor */
    jac_free(&j);
    t_free(W);
    t_free(A);
}

/* A layer factor whose product is subnormal (2^-1040) is renormalised exactly. */
static void test_subnormal_factor(void **state)
{
    (void)state;
    const Act *lin = act_get(ACT_LINEAR);
    ActParams ap = {0.01, 0};
    double W[4] = {ldexp(1.0, -1040), 0, 0, ldexp(3.0, -1040)}, z[2] = {0}, sv[2];
    JacProd j;
    assert_int_equal(jac_create(&j, 1, 2, NULL), GT_OK);
    jac_layer(&j, W, z, lin, &ap);
    jac_layer(&j, W, z, lin, &ap);
    JacSummary s;
    assert_int_equal(jac_spectrum(&j, 0, sv, &s, NULL), GT_OK);
    assert_near(sv[0], 2 * log10(3.0) - 2080 * log10(2.0), 1e-12);
    assert_near(sv[1], -2080 * log10(2.0), 1e-12);
    jac_free(&j);
}

/* ---- 5. deep sigmoid: sigma far below double's range, still exact ------------------------ */

/* A sigmoid net of width N and 2000 layers (J over 1999 factors) with scaled orthogonal weights:
 * every sigma is below 1e-400, far under double's 1e-308. Against the one-layer-at-a-time
 * log-sum: sum_k log10 sigma_k = sum_l (log10 |det W_l| + sum_j log10 f'(z_lj)), and for
 * N = 1 the single sigma is prod_l |w_l f'(z_l)| itself. */
static void check_deep_sigmoid(size_t N)
{
    enum { LAYERS = 2000 };
    const Act *sig = act_get(ACT_SIGMOID);
    ActParams ap = {0.01, 0};
    double *W = t_alloc(N * N * sizeof *W), *A = t_alloc(N * N * sizeof *A);
    double *b = t_alloc(N * sizeof *b), *h = t_alloc(N * sizeof *h), *hn = t_alloc(N * sizeof *hn);
    double *z = t_alloc(N * sizeof *z), *sv = t_alloc(N * sizeof *sv);
    Rng r;
    rng_seed(&r, 5, RNG_INIT);
    for (size_t i = 0; i < N; i++) h[i] = rng_uniform(&r);
    JacProd j;
    assert_int_equal(jac_create(&j, 1, N, NULL), GT_OK);
    double want = 0;
    for (int l = 2; l <= LAYERS; l++) {
        /* W = 0.3 Q, b = 0.1 N(0, 1): f' stays within a few % of 0.25 across units, so the
         * product's condition number stays far from 1e16 and every sigma is resolved */
        assert_int_equal(init_weights(INIT_ORTHOGONAL, W, N, N, 1.0, &r, NULL), GT_OK);
        for (size_t i = 0; i < N * N; i++) W[i] *= 0.3;
        for (size_t i = 0; i < N; i++) b[i] = 0.1 * rng_normal(&r);
        layer_forward(sig, &ap, W, b, h, z, hn, N);
        memcpy(h, hn, N * sizeof *h);
        memcpy(A, W, N * N * sizeof *A);
        want += log10_abs_det(A, N);
        for (size_t i = 0; i < N; i++) want += log10(sig->df(z[i], &ap));
        jac_layer(&j, W, z, sig, &ap);
    }
    JacSummary s;
    assert_int_equal(jac_spectrum(&j, 0, sv, &s, NULL), GT_OK);
    for (size_t k = 0; k < N; k++) {
        assert_true(isfinite(sv[k]));
        assert_true(sv[k] < -400);
    }
    assert_near(sum_log10(sv, N), want, 1e-9 * fabs(want));
    if (N == 1) assert_near(sv[0], want, 1e-12 * fabs(want));
    jac_free(&j);
    t_free(W);
    t_free(A);
    t_free(b);
    t_free(h);
    t_free(hn);
    t_free(z);
    t_free(sv);
}

static void test_deep_sigmoid(void **state)
{
    (void)state;
    check_deep_sigmoid(1);
    check_deep_sigmoid(4);
}

/* ---- 6. mean field: mean_sq against sum_{l=2}^{L} log10 chi_l ---------------------------- */

/* The check (width 500, depth 50, 10 trials) takes ~15 s per case on one core and is
 * noise-limited: one trial's log10 mean sigma^2 scatters by ~0.15 there, so the mean of 10
 * is uncertain by ~0.05, more than the 2% asked (README has the numbers measured by hand).
 * Here width 128, depth 6 and 200 trials: the scatter of the mean is ~0.005, the
 * finite-width deviation measured by hand at 200 trials is below 0.003 for both cases, and
 * Jensen's gap between the mean of logs and the log of the mean is ~0.01; the issue's
 * tolerance (2% or 0.02, the larger) then holds for both estimators with room. */
static void check_theory(ActKind act, double sw2, double sb2)
{
    SpSpec s;
    sp_spec_init(&s);
    s.widths[0] = 128;
    s.n_widths = 1;
    s.depths[0] = 6;
    s.n_depths = 1;
    s.trials = 200;
    s.activation = act;
    s.init = INIT_GAUSSIAN;
    s.sigma_w2 = sw2;
    s.sigma_b2 = sb2;
    s.threads = 2;
    SpResult res;
    GtErr e = {0};
    int rc = sp_run(&s, &res, &e);
    if (rc) fail_msg("sp_run: %s", e.msg);
    const SpRow *row = &res.rows[0];
    double tol = fmax(0.02, 0.02 * fabs(row->theory_log10));
    print_message("%s sw2 %g sb2 %g: mean_sq_log10 %.6f, pooled_sq_log10 %.6f, theory %.6f\n",
                  act_get(act)->name, sw2, sb2, row->mean_sq_log10, row->pooled_sq_log10,
                  row->theory_log10);
    assert_true(row->theory_log10 < -0.2); /* the prediction is not trivially 0 */
    assert_near(row->pooled_sq_log10, row->theory_log10, tol);
    assert_near(row->mean_sq_log10, row->theory_log10, tol);
    assert_true(row->mean_sq_log10 <= row->pooled_sq_log10); /* Jensen */
    sp_result_free(&res);
}

static void test_theory(void **state)
{
    (void)state;
    check_theory(ACT_TANH, 1.5, 0.05);
    check_theory(ACT_RELU, 1.8, 0.0);
}

/* ---- 7. the binary: spectrum thread independence, run --jacobian-every ------------------- */

static void run_bin(ProcRes *r, ProcArgs *a)
{
    proc_run(r, g_bin, a, g_tmp, 120, t_realloc);
    if (r->status != 0) {
        char cmd[1024];
        proc_args_show(a, cmd, sizeof cmd);
        fail_msg("gradtrace%s: exit %d: %s", cmd, r->status, r->err);
    }
}

static void test_spectrum_threads(void **state)
{
    (void)state;
    ProcRes r1, r2;
    ProcArgs a1 = {0}, a2 = {0};
    const char *common[] = {"spectrum", "--widths", "8,12", "--depths", "3,1,6", "--trials",
                            "9", "--activation", "relu", "--init", "gaussian", "--sigma-w2",
                            "2", "--csv"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++) {
        proc_args_add(&a1, common[i], NULL);
        proc_args_add(&a2, common[i], NULL);
    }
    proc_args_add(&a1, "--threads", "1", NULL);
    proc_args_add(&a2, "--threads", "2", NULL);
    run_bin(&r1, &a1);
    run_bin(&r2, &a2);
    assert_string_equal(r1.out, r2.out);
    const char *header = "width,depth,trials,mean_sq_log10,pooled_sq_log10,theory_log10,"
                         "q10_log10,q50_log10,q90_log10,min_log10,max_log10\n";
    assert_true(strncmp(r1.out, header, strlen(header)) == 0);
    size_t lines = 0;
    for (const char *p = r1.out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 2 * 3);
    /* depth 1: J = I, every statistic is log10 1 = 0 and so is the prediction */
    assert_non_null(strstr(r1.out, "\n8,1,9,0,0,0,0,0,0,0,0\n"));
}

/* The traces a run writes with the probe off, byte for byte, with it on; steps.csv without
 * its seconds column. */
static void compare_traces(const char *a, const char *b)
{
    const char *same[] = {"layers.csv", "census.csv"};
    char pa[PATHMAX], pb[PATHMAX];
    for (size_t i = 0; i < 2; i++)
        if (!files_equal(join(pa, a, same[i]), join(pb, b, same[i])))
            fail_msg("%s differs with --jacobian-every", same[i]);
    char *sa = must_slurp(join(pa, a, "steps.csv"), NULL);
    char *sb = must_slurp(join(pb, b, "steps.csv"), NULL);
    for (char *p = sa, *q = sb; p && q;) { /* each line but seconds, the one before last */
        char *ea = strchr(p, '\n'), *eb = strchr(q, '\n');
        if (!ea || !eb) {
            assert_true(!ea && !eb);
            break;
        }
        *ea = *eb = 0;
        for (int k = 0; k < 2; k++) { /* clipped, compared; then seconds, dropped */
            char *ca = strrchr(p, ','), *cb = strrchr(q, ',');
            assert_non_null(ca);
            assert_non_null(cb);
            if (k == 0) assert_string_equal(ca, cb);
            *ca = *cb = 0;
        }
        assert_string_equal(p, q);
        p = ea + 1;
        q = eb + 1;
    }
}

static void test_run_probe(void **state)
{
    (void)state;
    char off[PATHMAX], on[PATHMAX], p[PATHMAX];
    join(off, g_tmp, "off");
    join(on, g_tmp, "on");
    const char *base[] = {"run", "--depth", "5", "--width", "8", "--steps", "7", "--batch", "4",
                          "--every", "3", "--activation", "linear", "--init", "orthogonal",
                          "--dtype", "float64", "--train-size", "64", "--probe-size", "6"};
    ProcRes r;
    ProcArgs a = {0}, b = {0};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++) {
        proc_args_add(&a, base[i], NULL);
        proc_args_add(&b, base[i], NULL);
    }
    proc_args_add(&a, "--out", off, NULL);
    proc_args_add(&b, "--out", on, "--jacobian-every", "3", "--jacobian-samples", "5", NULL);
    run_bin(&r, &a);
    run_bin(&r, &b);
    compare_traces(off, on);
    assert_false(exists(join(p, off, "jacobian.csv")));
    /* steps 0, 3, 6 and 7 (after the last update), 5 samples, W = 8 values each */
    size_t len;
    char *sv = must_slurp(join(p, on, "jacobian.csv"), &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += sv[i] == '\n';
    assert_int_equal(lines, 1 + 4 * 5 * 8);
    assert_true(strncmp(sv, JAC_HEADER "\n", strlen(JAC_HEADER) + 1) == 0);
    /* step 0: orthogonal square layers 2..5, linear: J is orthogonal, every log10 sigma 0 */
    const char *row = sv + strlen(JAC_HEADER) + 1;
    for (int k = 0; k < 5 * 8; k++) {
        long step, sample, kk;
        double v;
        assert_int_equal(sscanf(row, "%ld,%ld,%ld,%lf", &step, &sample, &kk, &v), 4);
        assert_int_equal(step, 0);
        assert_int_equal(sample, 1 + k / 8);
        assert_int_equal(kk, 1 + k % 8);
        assert_near(v, 0.0, 1e-12);
        row = strchr(row, '\n') + 1;
    }
    char *sum = must_slurp(join(p, on, "jacobian_summary.csv"), &len);
    lines = 0;
    for (size_t i = 0; i < len; i++) lines += sum[i] == '\n';
    assert_int_equal(lines, 1 + 4 * 5);
    assert_true(strncmp(sum, JAC_SUMMARY_HEADER "\n", strlen(JAC_SUMMARY_HEADER) + 1) == 0);
    assert_non_null(strstr(sum, "\n7,5,")); /* the last measurement, after the last update */
}

static int group_setup(void **state)
{
    (void)state;
    if (!(g_bin = proc_binary("test_jacobian"))) return -1;
    return scratch_dir(g_tmp, "jacobian");
}

static int group_teardown(void **state)
{
    (void)state;
    return g_tmp[0] ? rm_tree(g_tmp) : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_quantiles, free_all),
        cmocka_unit_test_teardown(test_central_difference, free_all),
        cmocka_unit_test_teardown(test_residual, free_all),
        cmocka_unit_test_teardown(test_rank_zeros, free_all),
        cmocka_unit_test_teardown(test_orthogonal_isometry, free_all),
        cmocka_unit_test_teardown(test_linear_logdet, free_all),
        cmocka_unit_test_teardown(test_subnormal_factor, free_all),
        cmocka_unit_test_teardown(test_deep_sigmoid, free_all),
        cmocka_unit_test_teardown(test_theory, free_all),
        cmocka_unit_test_teardown(test_spectrum_threads, free_all),
        cmocka_unit_test_teardown(test_run_probe, free_all),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
