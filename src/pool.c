/* Worker threads claiming blocks of indices from one atomic counter (see pool.h). */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct {
    const PoolWork *w;
    PoolFn fn;
    long blocks;      /* blocks per group */
    atomic_long next; /* next work item: group * blocks + block */
    atomic_int stop;  /* a thread failed */
} Pool;

typedef struct {
    Pool *p;
    void *worker;
    int rc;
    GtErr err;
} Thread;

static long blocks_of(const PoolWork *w) { return (w->n + w->block - 1) / w->block; }

int pool_threads(const PoolWork *w, int threads)
{
    long items = blocks_of(w) * w->groups;
    return threads < items ? threads : (int)items;
}

static void *thread_main(void *arg)
{
    Thread *t = arg;
    Pool *p = t->p;
    const PoolWork *w = p->w;
    long items = p->blocks * w->groups;
    for (;;) {
        if (atomic_load(&p->stop)) break;
        long item = atomic_fetch_add(&p->next, 1);
        if (item >= items) break;
        long group = item / p->blocks;
        long first = (item % p->blocks) * w->block;
        long last = first + w->block < w->n ? first + w->block : w->n;
        for (long i = first; i < last; i++)
            if ((t->rc = p->fn(t->worker, group, i, &t->err))) {
                atomic_store(&p->stop, 1);
                return NULL;
            }
    }
    return NULL;
}

int pool_run(const PoolWork *w, int nthreads, void *workers, size_t stride, PoolFn fn,
             const char *what, GtErr *e)
{
    Pool p = {.w = w, .fn = fn, .blocks = blocks_of(w)};
    atomic_init(&p.next, 0);
    atomic_init(&p.stop, 0);
    Thread *ts = calloc((size_t)nthreads, sizeof *ts);
    pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
    int rc = GT_OK;
    if (!ts || !tid) rc = gt_fail(e, GT_ESYS, "out of memory for the %s threads", what);
    for (int t = 0; !rc && t < nthreads; t++) {
        ts[t].p = &p;
        ts[t].worker = (char *)workers + (size_t)t * stride;
    }
    /* the calling thread is the last; only the threads started are joined */
    int started = 0;
    while (!rc && started < nthreads - 1) {
        if (pthread_create(&tid[started], NULL, thread_main, &ts[started])) {
            atomic_store(&p.stop, 1);
            rc = gt_fail(e, GT_ESYS, "cannot start %s thread %d", what, started + 1);
        } else {
            started++;
        }
    }
    if (!rc) thread_main(&ts[nthreads - 1]);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    for (int t = 0; !rc && t < nthreads; t++)
        if (ts[t].rc) rc = gt_fail(e, ts[t].rc, "%s", ts[t].err.msg);
    free(ts);
    free(tid);
    return rc;
}
