/* Per-layer histograms (histograms.csv, with --histograms): the distributions of one batch's
 * pre-activations, outputs, weight gradients dL/dW and back-propagated gradients
 * delta = dl/dz at a logged step. */
#ifndef GT_HIST_H
#define GT_HIST_H

#include "net.h"
#include "trace.h"

#define HIST_HEADER "step,layer,quantity,bin_lo,bin_hi,count"
#define HIST_BINS 32

/* One quantity of one layer: HIST_BINS equal bins from lo to hi (one bin when lo == hi).
 * Gradients are binned on log10 |value|, exact beyond the dtype's range; their exact zeros
 * are counted apart. */
typedef struct {
    double lo, hi;  /* extremes of the binned values (lo > hi: nothing but zeros) */
    size_t zeros;   /* exact zeros (gradients only) */
    size_t count[HIST_BINS];
} HistBins;

typedef struct {
    size_t m;          /* rows of the batch being binned */
    int nlayers;
    HistBins *delta;   /* [nlayers]: delta of each layer, binned during backward */
} Hist;

int hist_create(Hist *h, int nlayers, GtErr *e);
void hist_free(Hist *h);

/* A NetLayerDone for net_backward on h->m rows (ctx = h): bins layer l's delta, which the
 * net holds only while backward is at that layer. */
void hist_delta_done(void *ctx, Net *n, int l);

/* Writes the rows of every layer at `step`, in layer order, after net_backward on h->m rows
 * with hist_delta_done: quantities "preact" (every layer) and "act" (hidden layers), linear bins;
 * "grad_w" and "delta" (every layer: bins equally spaced in log10 |value|, bin_lo and bin_hi
 * given as log10; exact zeros one row with bin_lo = bin_hi = -inf). */
void hist_write(const Hist *h, Net *n, long step, CsvFile *f);

#endif
