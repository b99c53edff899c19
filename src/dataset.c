/* Dataset allocation and release (see dataset.h). Depends on nothing else of the library,
 * so the loaders and data.c can share it without including each other. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void dataset_free(Dataset *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

/* First-touch page faults dominate loading a large set (Fashion-MNIST is 376 MB of
 * doubles; 4 KiB faults cost about a second on a VM). Asking for transparent huge pages
 * cuts the number of faults 512-fold; it is only advice, so failure is ignored. */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t page = 4096;
    if (bytes < ((size_t)32 << 20))
        return;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(page - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

int ds_alloc(Dataset *d, size_t n, size_t dim, const char *what, GtErr *e)
{
    memset(d, 0, sizeof *d);
    if (n == 0 || dim == 0 || n > SIZE_MAX / sizeof(double) / dim)
        return gt_fail(e, GT_ESYS, "out of memory loading %s (%zu x %zu values)", what, n, dim);
    d->x = malloc(n * dim * sizeof *d->x);
    d->y = malloc(n * sizeof *d->y);
    if (!d->x || !d->y) {
        dataset_free(d);
        return gt_fail(e, GT_ESYS, "out of memory loading %s (%zu x %zu values)", what, n, dim);
    }
    advise_huge(d->x, n * dim * sizeof *d->x);
    d->n = n;
    d->dim = dim;
    return GT_OK;
}
