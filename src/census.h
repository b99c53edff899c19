/* The dead-unit census of a training run (census.csv): a fixed probe set, chosen once by
 * the seed from the training set, passed forward at chosen steps. A unit is dead when no
 * gradient passes it: f'(z) = 0 exactly on every probe sample (relu: z <= 0; leaky_relu:
 * never; see act_dead_range); it revives when it was dead at an earlier census and is
 * alive now. frac_nonpositive counts the units with z <= 0 on every sample, which is
 * "dead" for relu only. The census draws from its own random stream and only reuses
 * the net's activation buffers, so it never changes training. Not `gradtrace census`, the
 * Monte Carlo census of born-dead networks (census_mc.h). */
#ifndef GT_CENSUS_H
#define GT_CENSUS_H

#include "common.h"
#include "dataset.h"
#include "net.h"
#include "trace.h"

#define CENSUS_HEADER \
    "step,layer,frac_dead,frac_revived,frac_saturated,born_dead,frac_nonpositive"

typedef struct {
    double frac_dead, frac_revived, frac_saturated, frac_nonpositive;
} CensusRow;

typedef struct {
    const Dataset *data;
    size_t size;              /* probe samples */
    uint32_t *idx;            /* (size) rows of data */
    int layers;               /* hidden layers counted */
    size_t width;
    unsigned char *ever_dead; /* (layers, width): dead at some earlier census */
    unsigned char *alive;     /* (layers, width): f'(z) != 0 on some probe sample */
    unsigned char *positive;  /* (layers, width): z > 0 on some probe sample */
    unsigned char *unsat;     /* (layers, width): f'(z) >= 0.01 max f' on some sample */
    double *amin, *amax;      /* (layers, width): output range over the probe set */
    CensusRow *rows;          /* (layers): the last census */
} Census;

int census_create(Census *c, const Net *n, const Dataset *d, size_t size, uint64_t seed,
                  GtErr *e);
void census_free(Census *c);
/* Passes the probe set forward through n (overwriting its activation buffers), updates
 * the revival memory and fills rows[0..layers). Returns born_dead: 1 when some hidden
 * layer's output is constant over the probe set (so the network's output is too). */
int census_measure(Census *c, Net *n, CensusRow *rows);
/* census_measure, then one row per hidden layer into f. */
void census_run(Census *c, Net *n, long step, CsvFile *f);

#endif
