/* Equal-width histograms between each quantity's min and max at that step. */
#include "hist.h"

#include <math.h>

/* log10 |v * 2^e2| without forming the product, which may underflow. */
static double log10_scaled(double v, int e2) { return log10(fabs(v)) + e2 * log10(2.0); }

static double value(const Net *n, const void *p, size_t i, int grad, int e2)
{
    double v = dtype_get(n->dtype, p, i);
    return grad ? (v == 0 ? -INFINITY : log10_scaled(v, e2)) : v;
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

static void one(const Net *n, const void *p, size_t len, int grad, int e2, long step, int layer,
                const char *name, CsvFile *f)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t zeros = 0, count[HIST_BINS] = {0};
    for (size_t i = 0; i < len; i++) {
        double v = value(n, p, i, grad, e2);
        if (v == -INFINITY && grad) {
            zeros++;
            continue;
        }
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    if (zeros) {
        row(f, step, layer, name, -INFINITY, -INFINITY, zeros);
    }
    if (lo > hi) return; /* nothing but zeros */
    double width = (hi - lo) / HIST_BINS;
    for (size_t i = 0; i < len; i++) {
        double v = value(n, p, i, grad, e2);
        if (v == -INFINITY && grad) continue;
        size_t b = width > 0 ? (size_t)((v - lo) / width) : 0;
        count[b < HIST_BINS ? b : HIST_BINS - 1]++;
    }
    int bins = width > 0 ? HIST_BINS : 1;
    for (int b = 0; b < bins; b++) {
        row(f, step, layer, name, lo + b * width, b + 1 == bins ? hi : lo + (b + 1) * width,
            count[b]);
    }
}

void hist_write(Net *n, size_t m, long step, CsvFile *f)
{
    for (int l = 0; l < n->nlayers; l++) {
        const Layer *L = &n->layers[l];
        one(n, L->z, m * L->fan_out, 0, 0, step, l + 1, "preact", f);
        if (l + 1 < n->nlayers)
            one(n, net_act(n, l, m), m * L->fan_out, 0, 0, step, l + 1, "act", f);
        one(n, L->dW, L->fan_in * L->fan_out, 1, L->e2, step, l + 1, "grad_w_log10", f);
    }
}
