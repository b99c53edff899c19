/* Fuzz target: `gradtrace theory` options (cmd_theory.c's parser and its cross-option
 * checks), then the mean-field computations those values drive, kept small: the layer
 * recursion up to depth 64 (residual blocks too), the fixed point, the critical-line search and a phase grid of at
 * most 4 x 4 points (written to /dev/null). The input is argv[1..], split at NUL bytes and
 * newlines. cmd_theory.c is included for its static parse(); cmd_theory() is not called. */
#include "../../src/cmd_theory.c"

#include <math.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[FZ_MAX_ARGS + 2], *text;
    int argc = fz_args(data, size, "theory", argv, &text);
    if (argc < 0) return 0;

    TArgs a;
    GtErr e = {0};
    int rc = parse(&a, argc, argv, &e);
    free(text);
    if (rc > 0) FZ_CHECK_ERR(rc, e);
    if (rc) return 0;
    ActParams ap = {.alpha = a.real[O_ALPHA], .relu_grad_at_zero = 0};
    double q0 = a.real[O_Q0];
    if (a.flag[O_GRID]) {
        const TheoryRange *w = &a.range[O_W2R], *b = &a.range[O_B2R];
        FZ_CHECK(w->n >= 1 && b->n >= 1 && w->lo <= w->hi && b->lo <= b->hi);
        if (w->n * b->n > 16) return 0;
        FILE *null = fopen("/dev/null", "w");
        if (!null) abort();
        rc = theory_phase_grid(null, a.act, &ap, q0, w, b, &e);
        fclose(null);
        if (rc) FZ_CHECK_ERR(rc, e);
    } else if (a.flag[O_CRIT]) {
        double sw2 = NAN;
        rc = theory_critical_sigma_w2(a.act, &ap, a.real[O_SB2], q0, &sw2, &e);
        if (rc) FZ_CHECK_ERR(rc, e);
        else FZ_CHECK(isfinite(sw2) && sw2 > 0);
    } else {
        Theory t;
        rc = theory_init(&t, a.act, &ap, a.real[O_SW2], a.real[O_SB2], &e);
        if (rc) {
            FZ_CHECK_ERR(rc, e);
            return 0;
        }
        long depth = a.lng[O_DEPTH] < 64 ? a.lng[O_DEPTH] : 64, K = a.lng[O_RES];
        TheoryLayer rows[64];
        if (K && depth == a.lng[O_DEPTH]) { /* residual blocks: parse checked K | depth - 1 */
            rc = theory_resid_layers(&t, q0, K, a.real[O_RSCALE], depth, rows, &e);
            if (rc) {
                FZ_CHECK_ERR(rc, e);
                return 0;
            }
        } else {
            theory_layers(&t, q0, depth, rows);
        }
        for (long l = 0; l < depth; l++) FZ_CHECK(!isnan(rows[l].q) && rows[l].q >= 0);
        TheoryFixed fp;
        theory_fixed_point(&t, q0, &fp);
        FZ_CHECK(!isnan(fp.chi1) && fp.chi1 >= 0);
    }
    return 0;
}
