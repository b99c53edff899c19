/* Batch and layer normalization, forward and backward (norm.h), for both dtypes. */
#include "norm.h"

#include <math.h>
#include <string.h>

static const char *const NAMES[] = {"none", "batch", "layer"};

const char *norm_name(int k) { return k >= 0 && k < 3 ? NAMES[k] : "?"; }

int norm_lookup(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(NAMES[i], s) == 0) return i;
    return -1;
}

const char *norm_valid_names(void) { return "none, batch, layer"; }

#define NORM_ROWS 8 /* layer norm: rows whose per-row sums run side by side */

#define T float
#define SFX(name) name##_s
#include "norm_tmpl.h"
#undef T
#undef SFX

#define T double
#define SFX(name) name##_d
#include "norm_tmpl.h"
#undef T
#undef SFX

void norm_forward(Dtype dt, const NormView *v, const void *z, void *u, size_t m, size_t fo,
                  int train)
{
    if (dt == DT_F32) forward_s(v, z, u, m, fo, train);
    else forward_d(v, z, u, m, fo, train);
}

void norm_backward(Dtype dt, const NormView *v, const void *z, void *d, size_t m, size_t fo,
                   void *dgamma, void *dbeta)
{
    if (dt == DT_F32) backward_s(v, z, d, m, fo, dgamma, dbeta);
    else backward_d(v, z, d, m, fo, dgamma, dbeta);
}
