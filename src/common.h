/* Shared vocabulary of the library: error reporting and the run-time dtype.
 * The library never prints and never exits; it fills a GtErr and returns its code,
 * and the CLI turns that into one line on stderr and an exit status. */
#ifndef GT_COMMON_H
#define GT_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Error codes double as exit statuses. */
enum {
    GT_OK = 0,
    GT_ESYS = 1,   /* out of memory, internal failure */
    GT_EINPUT = 2, /* usage, config, data or output-path error: the user can fix it */
};

typedef struct {
    int code;
    char msg[512];
} GtErr;

/* Sets e (if not NULL) to code and a printf-style message; returns code. */
int gt_fail(GtErr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Seconds on a monotonic clock (for durations). */
double gt_now(void);

typedef enum { DT_F32 = 0, DT_F64 = 1 } Dtype;

/* Element i of a float or double buffer, as a double (for loops off the hot path). */
static inline double dtype_get(Dtype d, const void *p, size_t i)
{
    return d == DT_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

/* Stores v, rounded to the buffer's type, as element i (off the hot path). */
static inline void dtype_set(Dtype d, void *p, size_t i, double v)
{
    if (d == DT_F32) ((float *)p)[i] = (float)v;
    else ((double *)p)[i] = v;
}

static inline size_t dtype_size(Dtype d) { return d == DT_F32 ? sizeof(float) : sizeof(double); }

/* Hot loops are compiled for AVX-512, AVX2 and the baseline and the loader picks one for
 * the CPU (GCC function multi-versioning). The bits do not depend on the pick: the build
 * has -ffp-contract=off (no FMA), and every reduction's order is fixed in the source
 * (per-unit accumulators or a fixed number of lanes), so the vector width changes speed
 * only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GT_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GT_HOT
#endif

/* The version is written in one place, the top-level file VERSION; the Makefile passes it
 * as -DGT_VERSION="x.y.z" (tests/version/run checks that the binary, run.json, the man
 * pages and debian/changelog all say the same). A compile that bypasses the Makefile (static
 * analysers) says "unknown" rather than a number that could go stale. */
#ifndef GT_VERSION
#define GT_VERSION "unknown"
#endif

#endif
