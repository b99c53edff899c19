/* histograms.csv rows: counts add up to the entries, bins tile [min, max], exact-zero
 * gradients get their own -inf row, and delta is the back-propagated dl/dz of each layer,
 * exact below the dtype's range. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "testutil.h"

#define MAXL 128

/* one (layer, quantity) read back: extreme finite edges, finite counts, exact zeros */
typedef struct {
    double lo, hi;
    long count, zeros, rows;
} Got;

typedef struct {
    Got q[MAXL + 1][4]; /* preact, act, grad_w, delta */
} Table;

static const char *const Q[4] = {"preact", "act", "grad_w", "delta"};

/* Writes h's rows for net n at step 7 and reads them back into t, checking the format. */
static void write_and_read(const Hist *h, Net *n, Table *t)
{
    char dir[] = "/tmp/gt-hist-XXXXXX";
    assert_non_null(mkdtemp(dir));
    CsvFile f = {0};
    GtErr e;
    assert_int_equal(csv_open(&f, dir, "h.csv", HIST_HEADER, 17, &e), GT_OK);
    hist_write(h, n, 7, &f);
    assert_int_equal(csv_close(&f, &e), GT_OK);
    char path[128], line[256], q[32];
    snprintf(path, sizeof path, "%s/h.csv", dir);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, HIST_HEADER "\n");
    for (int l = 0; l <= MAXL; l++)
        for (int k = 0; k < 4; k++) t->q[l][k] = (Got){INFINITY, -INFINITY, 0, 0, 0};
    double prev_hi = 0;
    int prev_l = -1, prev_k = -1;
    while (fgets(line, sizeof line, in)) {
        char lo_s[64], hi_s[64];
        long step, layer, count;
        assert_int_equal(sscanf(line, "%ld,%ld,%31[^,],%63[^,],%63[^,],%ld", &step, &layer, q,
                                lo_s, hi_s, &count), 6);
        assert_int_equal(step, 7);
        assert_true(layer >= 1 && layer <= MAXL);
        int k = 0;
        while (k < 4 && strcmp(q, Q[k]) != 0) k++;
        assert_true(k < 4);
        Got *g = &t->q[layer][k];
        double lo = strtod(lo_s, NULL), hi = strtod(hi_s, NULL);
        g->rows++;
        if (lo == -INFINITY) {
            assert_true(hi == -INFINITY && k >= 2 && g->rows == 1); /* zeros first */
            g->zeros += count;
            prev_l = -1;
            continue;
        } else {
            if (layer == prev_l && k == prev_k) assert_near(lo, prev_hi, 1e-12 * fabs(lo)); /* bins tile */
            assert_true(lo <= hi);
            g->count += count;
            g->lo = fmin(g->lo, lo), g->hi = fmax(g->hi, hi);
            prev_hi = hi;
        }
        prev_l = (int)layer, prev_k = k;
    }
    fclose(in);
    unlink(path);
    rmdir(dir);
}

static void test_hist_rows(void **state)
{
    (void)state;
    NetSpec s = {.dtype = DT_F64, .in_dim = 2, .width = 3, .out_dim = 2, .batch = 4,
                 .depth = 1, .act = ACT_RELU};
    Net n;
    Hist h;
    GtErr e;
    assert_int_equal(net_create(&n, &s, &e), GT_OK);
    assert_int_equal(hist_create(&h, n.nlayers, &e), GT_OK);
    h.m = 4;
    Layer *L = &n.layers[0];
    double *z = L->z, *dW = L->dW;
    for (int i = 0; i < 12; i++) z[i] = i - 5.5; /* -5.5 .. 5.5; outputs relu(z) */
    for (int i = 0; i < 6; i++) dW[i] = i < 2 ? 0.0 : ldexp(1.0, i); /* two exact zeros */
    L->e2 = -1000; /* gradients 2^(i-1000): far below double's range, still binned */
    Table *t = malloc(sizeof *t);
    write_and_read(&h, &n, t);
    Got *pre = &t->q[1][0], *act = &t->q[1][1], *grad = &t->q[1][2];
    assert_int_equal(pre->count, 12);
    assert_int_equal(pre->rows, HIST_BINS);
    assert_near(pre->lo, -5.5, 1e-12);
    assert_near(pre->hi, 5.5, 1e-12);
    assert_int_equal(act->count, 12);
    assert_near(act->lo, 0, 0);
    assert_int_equal(grad->count, 4);
    assert_int_equal(grad->zeros, 2);
    assert_near(grad->lo, (2 - 1000) * log10(2.0), 1e-12); /* log10 of 2^(2..5 - 1000) */
    assert_near(grad->hi, (5 - 1000) * log10(2.0), 1e-12);
    assert_int_equal(t->q[2][1].rows, 0); /* the output layer has no act rows */
    free(t);
    hist_free(&h);
    net_free(&n);
}

/* A random tanh net of `depth` hidden layers (or sigmoid with --init standard when deep),
 * forward and backward on a batch of 4 with the histograms' callback. */
static void run_net(Net *n, Hist *h, Dtype dt, ActKind act, long depth, size_t width)
{
    enum { B = 4, IN = 3, OUT = 3 };
    NetSpec s = {.dtype = dt, .in_dim = IN, .width = width, .out_dim = OUT, .batch = B,
                 .depth = depth, .act = act};
    GtErr e;
    assert_int_equal(net_create(n, &s, &e), GT_OK);
    Rng r;
    rng_seed(&r, 3, RNG_INIT);
    assert_int_equal(net_init_params(n, act == ACT_SIGMOID ? INIT_STANDARD : INIT_XAVIER_NORMAL,
                                     1.0, 0.0, &r, &e), GT_OK);
    double x[B * IN];
    int32_t y[B] = {0, 1, 2, 1};
    for (int i = 0; i < B * IN; i++) x[i] = rng_normal(&r);
    Dataset d = {.n = B, .dim = IN, .classes = OUT, .x = x, .y = y};
    net_load_input(n, &d, NULL, 0, B);
    net_forward(n, B);
    net_loss(n, LOSS_XENT, y, B, NULL, 1);
    assert_int_equal(hist_create(h, n->nlayers, &e), GT_OK);
    h->m = B;
    net_backward(n, B, 1, hist_delta_done, h);
}

/* delta of every layer against backprop written out by hand (xent: softmax - onehot at the
 * output, then delta_l = (delta_{l+1} W_{l+1}^T) * tanh'(z_l)) */
static void test_hist_delta(void **state)
{
    (void)state;
    enum { B = 4, W = 5, DEPTH = 3 };
    Net n;
    Hist h;
    run_net(&n, &h, DT_F64, ACT_TANH, DEPTH, W);
    Table *t = malloc(sizeof *t);
    write_and_read(&h, &n, t);
    static const int32_t y[B] = {0, 1, 2, 1};
    double d[B * W], dn[B * W];
    const Layer *O = &n.layers[DEPTH];
    const double *zo = O->z;
    for (int i = 0; i < B; i++) {
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < 3; j++) mx = fmax(mx, zo[i * 3 + j]);
        for (int j = 0; j < 3; j++) sum += exp(zo[i * 3 + j] - mx);
        for (int j = 0; j < 3; j++) d[i * 3 + j] = exp(zo[i * 3 + j] - mx) / sum - (j == y[i]);
    }
    size_t fo = 3;
    for (int l = DEPTH; l >= 0; l--) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < B * fo; i++) {
            double v = log10(fabs(d[i]));
            lo = fmin(lo, v), hi = fmax(hi, v);
        }
        const Got *g = &t->q[l + 1][3];
        assert_int_equal(g->count, (long)(B * fo));
        assert_int_equal(g->zeros, 0);
        assert_int_equal(g->rows, HIST_BINS);
        assert_near(g->lo, lo, 1e-9);
        assert_near(g->hi, hi, 1e-9);
        assert_true(hi - lo > 0.1); /* a spread to bin, not one value */
        if (l == 0) break;
        const Layer *L = &n.layers[l], *P = &n.layers[l - 1];
        const double *Wl = L->W, *zp = P->z;
        for (int i = 0; i < B; i++)
            for (size_t a = 0; a < W; a++) {
                double s = 0;
                for (size_t j = 0; j < fo; j++) s += d[i * fo + j] * Wl[a * fo + j];
                double th = tanh(zp[i * W + a]);
                dn[i * W + a] = s * (1 - th * th);
            }
        memcpy(d, dn, sizeof d);
        fo = W;
    }
    free(t);
    hist_free(&h);
    net_free(&n);
}

/* a deep sigmoid net's layer-1 delta, below float32's smallest subnormal (1.4e-45), comes
 * out of a float32 run as it does from a float64 one (same weights: drawn in double) */
static void test_hist_delta_exact(void **state)
{
    (void)state;
    enum { DEPTH = 80, W = 16 };
    Table *t[2];
    for (int k = 0; k < 2; k++) {
        Net n;
        Hist h;
        run_net(&n, &h, k ? DT_F64 : DT_F32, ACT_SIGMOID, DEPTH, W);
        t[k] = malloc(sizeof *t[k]);
        write_and_read(&h, &n, t[k]);
        hist_free(&h);
        net_free(&n);
    }
    for (int l = 1; l <= DEPTH + 1; l++) {
        const Got *a = &t[0]->q[l][3], *b = &t[1]->q[l][3];
        assert_int_equal(a->zeros, 0);
        assert_int_equal(a->count, b->count);
        assert_near(a->hi, b->hi, 1e-4);
        assert_near(a->lo, b->lo, 1e-2); /* the smallest |delta| is a near-cancelling sum */
    }
    assert_true(t[0]->q[1][3].hi < -46);
    assert_true(t[0]->q[1][2].hi < -46 && t[0]->q[1][2].zeros == 0); /* grad_w likewise */
    free(t[0]);
    free(t[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_rows),
        cmocka_unit_test(test_hist_delta),
        cmocka_unit_test(test_hist_delta_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
