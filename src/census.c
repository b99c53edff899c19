/* The dead-unit census of a training run (census.csv): dead, revived and saturated units
 * over a fixed probe set (see census.h). Not `gradtrace census`, the Monte Carlo census of
 * born-dead networks, which is census_mc.c. */
#include "census.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int census_create(Census *c, const Net *n, const Dataset *d, size_t size, uint64_t seed,
                  GtErr *e)
{
    memset(c, 0, sizeof *c);
    c->data = d;
    c->size = size;
    c->layers = n->nlayers - 1;
    c->width = c->layers ? n->layers[0].fan_out : 0;
    size_t units = (size_t)c->layers * c->width;
    uint32_t *all = malloc(d->n * sizeof *all);
    c->idx = malloc((size ? size : 1) * sizeof *c->idx);
    c->ever_dead = calloc(units + 1, 1);
    c->alive = malloc(units + 1);
    c->positive = malloc(units + 1);
    c->unsat = malloc(units + 1);
    c->amin = malloc((units + 1) * sizeof(double));
    c->amax = malloc((units + 1) * sizeof(double));
    c->rows = malloc(((size_t)c->layers + 1) * sizeof *c->rows);
    if (!all || !c->idx || !c->ever_dead || !c->alive || !c->positive || !c->unsat || !c->amin || !c->amax ||
        !c->rows) {
        free(all);
        census_free(c);
        return gt_fail(e, GT_ESYS, "out of memory for the census probe set");
    }
    /* the first `size` entries of a seeded shuffle: a uniform sample without replacement */
    Rng r;
    rng_seed(&r, seed, RNG_PROBE);
    for (size_t i = 0; i < d->n; i++) all[i] = (uint32_t)i;
    rng_shuffle(&r, all, d->n);
    memcpy(c->idx, all, size * sizeof *all);
    free(all);
    return GT_OK;
}

void census_free(Census *c)
{
    free(c->idx);
    free(c->ever_dead);
    free(c->alive);
    free(c->positive);
    free(c->unsat);
    free(c->amin);
    free(c->amax);
    free(c->rows);
    memset(c, 0, sizeof *c);
}

int census_measure(Census *c, Net *n, CensusRow *rows)
{
    size_t W = c->width, units = (size_t)c->layers * W;
    memset(c->alive, 0, units);
    memset(c->positive, 0, units);
    memset(c->unsat, 0, units);
    for (size_t u = 0; u < units; u++) {
        c->amin[u] = INFINITY;
        c->amax[u] = -INFINITY;
    }
    const Act *act = n->act;
    for (size_t first = 0; first < c->size; first += n->batch) {
        size_t m = c->size - first < n->batch ? c->size - first : n->batch;
        net_load_input(n, c->data, c->idx + first, 0, m);
        net_forward_eval(n, m); /* batch norm: running statistics, samples on their own */
        for (int l = 0; l < c->layers; l++) {
            const Layer *L = &n->layers[l];
            const void *out = net_act(n, l, m);
            size_t o = (size_t)l * W;
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < W; j++) {
                    double z = dtype_get(n->dtype, L->u, i * W + j); /* f's input */
                    double a = dtype_get(n->dtype, out, i * W + j);
                    c->alive[o + j] |= !act_is_dead(&n->dead, z);
                    c->positive[o + j] |= z > 0;
                    if (a < c->amin[o + j]) c->amin[o + j] = a;
                    if (a > c->amax[o + j]) c->amax[o + j] = a;
                    /* a unit stays "saturated" only while every sample so far was */
                    if (!c->unsat[o + j]) c->unsat[o + j] = act->df(z, &n->ap) >= n->sat_thr;
                }
        }
    }
    int born_dead = 0;
    for (int l = 0; l < c->layers; l++) {
        size_t o = (size_t)l * W, dead = 0, revived = 0, sat = 0, constant = 0, nonpos = 0;
        for (size_t j = 0; j < W; j++) {
            size_t u = o + j;
            dead += !c->alive[u];
            nonpos += !c->positive[u];
            revived += c->ever_dead[u] && c->alive[u];
            sat += !c->unsat[u];
            constant += c->amin[u] == c->amax[u];
            c->ever_dead[u] |= !c->alive[u];
        }
        rows[l].frac_dead = (double)dead / (double)W;
        rows[l].frac_revived = (double)revived / (double)W;
        rows[l].frac_saturated = (double)sat / (double)W;
        rows[l].frac_nonpositive = (double)nonpos / (double)W;
        born_dead |= constant == W;
    }
    return born_dead;
}

void census_run(Census *c, Net *n, long step, CsvFile *f)
{
    CensusRow *rows = c->rows;
    int born_dead = census_measure(c, n, rows);
    for (int l = 0; l < c->layers; l++) {
        csv_int(f, step);
        csv_int(f, l + 1);
        csv_real(f, rows[l].frac_dead);
        csv_real(f, rows[l].frac_revived);
        csv_real(f, rows[l].frac_saturated);
        csv_int(f, born_dead);
        csv_real(f, rows[l].frac_nonpositive);
        csv_end_row(f);
    }
}
