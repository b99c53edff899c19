/* A pool of worker threads for the Monte Carlo commands (census_mc.c, jacobian.c): the
 * indices 0..n-1 of each of `groups` groups (trials of each width), claimed in blocks from
 * one shared atomic counter, each index passed to a function with the thread's own worker.
 * Which thread runs an index is not fixed, so for results that do not depend on the thread
 * count the function must depend on (group, index) alone (draw from that index's own rng
 * stream) and leave its result where the caller reduces it in index order, or as integer
 * counts, whose sums are the same in any order. */
#ifndef GT_POOL_H
#define GT_POOL_H

#include <stddef.h>

#include "common.h"

typedef struct {
    long groups; /* >= 1 */
    long n;      /* indices per group, >= 1 */
    long block;  /* indices per claim: few atomic operations, fair shares */
} PoolWork;

/* One index. Writes a message to e (the pool's, one per thread) on failure. */
typedef int (*PoolFn)(void *worker, long group, long index, GtErr *e);

/* How many threads to start for at most `threads`: no more than there are blocks, so that
 * none allocates a worker for nothing. */
int pool_threads(const PoolWork *w, int threads);

/* Runs fn over every (group, index) on nthreads threads, the calling thread one of them;
 * thread t passes (char *)workers + t * stride. After the first failure no thread claims
 * another block. Returns GT_OK or, with its message in e, the error of the lowest-numbered
 * thread that failed, or GT_ESYS when a thread cannot start ("cannot start WHAT thread 2"). */
int pool_run(const PoolWork *w, int nthreads, void *workers, size_t stride, PoolFn fn,
             const char *what, GtErr *e);

#endif
