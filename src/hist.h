/* Per-layer histograms (histograms.csv, with --histograms): the distribution of
 * pre-activations, outputs and log10 |weight gradient| at a logged step. */
#ifndef GT_HIST_H
#define GT_HIST_H

#include "net.h"
#include "trace.h"

#define HIST_HEADER "step,layer,quantity,bin_lo,bin_hi,count"
#define HIST_BINS 32

/* Writes the rows of every layer at `step` from the net's buffers after net_backward on
 * m rows: quantities "preact", "act" (hidden layers) and "grad_w_log10" (exact, from the
 * scaled gradients; exact zeros get one row with bin_lo = bin_hi = -inf). */
void hist_write(Net *n, size_t m, long step, CsvFile *f);

#endif
