/* Histograms between each quantity's min and max at that step: linear bins for values,
 * log10 bins for gradients, which span many decades and may lie below the dtype's range. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hist_create(Hist *h, int nlayers, GtErr *e)
{
    memset(h, 0, sizeof *h);
    h->delta = calloc((size_t)nlayers, sizeof *h->delta);
    if (!h->delta) return gt_fail(e, GT_ESYS, "out of memory");
    h->nlayers = nlayers;
    return GT_OK;
}

void hist_free(Hist *h)
{
    free(h->delta);
    memset(h, 0, sizeof *h);
}

/* v, or for a gradient stored scaled by 2^-e2 log10 |v * 2^e2| without forming the
 * product (it may underflow); -inf for an exact zero gradient */
static double value(Dtype dt, const void *p, size_t i, int grad, int e2)
{
    double v = dtype_get(dt, p, i);
    if (!grad) return v;
    return v == 0 ? -INFINITY : log10(fabs(v)) + e2 * log10(2.0);
}

static void bin(HistBins *h, Dtype dt, const void *p, size_t len, int grad, int e2)
{
    memset(h, 0, sizeof *h);
    h->lo = INFINITY, h->hi = -INFINITY;
    for (size_t i = 0; i < len; i++) {
        double v = value(dt, p, i, grad, e2);
        if (v == -INFINITY && grad) {
            h->zeros++;
            continue;
        }
        if (v < h->lo) h->lo = v;
        if (v > h->hi) h->hi = v;
    }
    if (h->lo > h->hi) return; /* nothing but zeros */
    double width = (h->hi - h->lo) / HIST_BINS;
    for (size_t i = 0; i < len; i++) {
        double v = value(dt, p, i, grad, e2);
        if (v == -INFINITY && grad) continue;
        size_t b = width > 0 ? (size_t)((v - h->lo) / width) : 0;
        h->count[b < HIST_BINS ? b : HIST_BINS - 1]++;
    }
}

static void row(CsvFile *f, long step, int layer, const char *name, double lo, double hi,
                size_t count)
{
    csv_int(f, step);
    csv_int(f, layer);
    csv_str(f, name);
    csv_real(f, lo);
    csv_real(f, hi);
    csv_int(f, (long long)count);
    csv_end_row(f);
}

static void emit(CsvFile *f, long step, int layer, const char *name, const HistBins *h)
{
    if (h->zeros) row(f, step, layer, name, -INFINITY, -INFINITY, h->zeros);
    if (h->lo > h->hi) return;
    double width = (h->hi - h->lo) / HIST_BINS;
    int bins = width > 0 ? HIST_BINS : 1;
    for (int b = 0; b < bins; b++)
        row(f, step, layer, name, h->lo + b * width,
            b + 1 == bins ? h->hi : h->lo + (b + 1) * width, h->count[b]);
}

void hist_delta_done(void *ctx, Net *n, int l)
{
    Hist *h = ctx;
    const Layer *L = &n->layers[l];
    bin(&h->delta[l], n->dtype, net_delta(n, l), h->m * L->fan_out, 1, L->e2);
}

void hist_write(const Hist *h, Net *n, long step, CsvFile *f)
{
    HistBins b;
    for (int l = 0; l < n->nlayers; l++) {
        const Layer *L = &n->layers[l];
        size_t len = h->m * L->fan_out;
        bin(&b, n->dtype, L->u, len, 0, 0); /* the activation's input */
        emit(f, step, l + 1, "preact", &b);
        if (l + 1 < n->nlayers) {
            bin(&b, n->dtype, net_act(n, l, h->m), len, 0, 0);
            emit(f, step, l + 1, "act", &b);
        }
        bin(&b, n->dtype, L->dW, L->fan_in * L->fan_out, 1, L->e2);
        emit(f, step, l + 1, "grad_w", &b);
        emit(f, step, l + 1, "delta", &h->delta[l]);
    }
}
