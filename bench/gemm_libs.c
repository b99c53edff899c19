/* Issue 14's small-matrix question, measured: a training step's float32 gemm sequence on
 * gradtrace's shapes with OpenBLAS, BLIS and libxsmm, one thread. Built three times, once
 * per library (-DGEMM_OPENBLAS, -DGEMM_BLIS, -DGEMM_XSMM: BLIS exports cblas_* too, so the
 * libraries do not share a process); `make bench-gemm` builds and runs all three.
 *
 * One step of an (L, W, B) net, as src/net_tmpl.h calls it (row-major):
 *   forward, every layer:   z = a.W (+ z: beta 1)               NN  (B x W) . (W x W)
 *   backward, every layer:  dW = a^T.delta / B                  TN  (W x B) . (B x W)
 *   backward, layers > 1:   dX = delta.W^T                      NT  (B x W) . (W x W)^T
 * libxsmm 1.17 JIT-compiles NN and NT but not TN in its column-major terms (row-major TN is
 * its NT, row-major NT its TN), and only alpha = 1: dX goes through libxsmm_otrans of W, then
 * NN (keepT_s: as if W^T were kept, a second copy of the weights), and dW's 1/B is a pass of
 * its own.
 * Prints key=value lines: median CPU seconds of the sequence over repeated runs, and whether two
 * runs from the same inputs gave the same bits (every library here is deterministic at one
 * thread: no run-to-run reduction order). */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(GEMM_OPENBLAS)
#include <cblas.h>
#define LIB "openblas"
#elif defined(GEMM_BLIS)
#include <blis.h>
#define LIB "blis"
#elif defined(GEMM_XSMM)
#include <libxsmm.h>
#define LIB "libxsmm"
#else
#error "define GEMM_OPENBLAS, GEMM_BLIS or GEMM_XSMM"
#endif

static double clock_s(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* the process's CPU time: a step's own cost even while other processes share the CPU (the
 * machine this was written on is shared) */
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* C (m x n, ldc n) = alpha op(A) op(B) + beta C, row-major, op = transpose when ta/tb */
static void gemm(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc)
{
#if defined(GEMM_OPENBLAS)
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
#elif defined(GEMM_BLIS)
    bli_sgemm(ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, m,
              n, k, &alpha, (float *)A, lda, 1, (float *)B, ldb, 1, &beta, C, ldc, 1);
#else
    /* row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands;
     * a kernel per (shape, flags), dispatched once and cached by libxsmm */
    int flags = (tb ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) | (ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
    libxsmm_blasint M = n, N = m, K = k, la = ldb, lb = lda, lc = ldc;
    float one = 1; /* its JIT takes alpha = 1 only: dW's 1/B is a scaling pass after */
    libxsmm_smmfunction f = libxsmm_smmdispatch(M, N, K, &la, &lb, &lc, &one, &beta, &flags, NULL);
    if (!f) {
        fprintf(stderr, "gemm_libs: libxsmm has no kernel for %c%c %dx%dx%d\n", ta ? 'T' : 'N',
                tb ? 'T' : 'N', m, n, k);
        exit(1);
    }
    f(B, A, C);
    if (alpha != 1) /* beta 0 here (dW): C = alpha A B */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) C[(size_t)i * ldc + j] *= alpha;
#endif
}

typedef struct {
    int L, W, B;
    float *Wt, *WT, *a, *z, *d, *dW, *dX; /* W and its transpose per layer; one a, z, delta */
} Net;

static void fill(float *v, size_t n, uint64_t *s, float scale)
{
    for (size_t i = 0; i < n; i++) {
        *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
        v[i] = scale * ((float)(*s >> 40) / (float)(1 << 24) - 0.5f);
    }
}

/* one step's sequence; keep_t: dX from the kept transpose (NN) instead of NT */
static void step(Net *n, int keep_t)
{
    size_t WW = (size_t)n->W * n->W;
    for (int l = 0; l < n->L; l++)
        gemm(0, 0, n->B, n->W, n->W, 1, n->a, n->W, n->Wt + l * WW, n->W, 1, n->z, n->W);
    for (int l = n->L - 1; l >= 0; l--) {
        gemm(1, 0, n->W, n->W, n->B, 1.0f / (float)n->B, n->a, n->W, n->d, n->W, 0, n->dW, n->W);
        if (l == 0) break;
#if defined(GEMM_XSMM)
        if (!keep_t) /* the transpose libxsmm's missing kernel needs, every step */
            libxsmm_otrans(n->WT + l * WW, n->Wt + l * WW, sizeof(float), n->W, n->W, n->W, n->W);
        gemm(0, 0, n->B, n->W, n->W, 1, n->d, n->W, n->WT + l * WW, n->W, 0, n->dX, n->W);
#else
        if (keep_t) gemm(0, 0, n->B, n->W, n->W, 1, n->d, n->W, n->WT + l * WW, n->W, 0, n->dX, n->W);
        else gemm(0, 1, n->B, n->W, n->W, 1, n->d, n->W, n->Wt + l * WW, n->W, 0, n->dX, n->W);
#endif
    }
}

static uint64_t hash(const float *v, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], sizeof u);
        h = (h ^ u) * 1099511628211ULL;
    }
    return h;
}

static double measure(Net *n, int keep_t, double budget)
{
    double t[512];
    int k = 0;
    for (double t0 = now(); now() - t0 < 0.2 * budget;) step(n, keep_t); /* warm-up */
    for (double t0 = now(); k < 512 && (k < 7 || now() - t0 < budget); k++) {
        double s = cpu();
        step(n, keep_t);
        t[k] = cpu() - s;
    }
    qsort(t, (size_t)k, sizeof *t, cmp_double);
    return t[k / 2];
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gemm_libs L W B SECONDS\n");
        return 2;
    }
    Net n = {.L = atoi(argv[1]), .W = atoi(argv[2]), .B = atoi(argv[3])};
    double budget = atof(argv[4]);
#if defined(GEMM_BLIS)
    bli_thread_set_num_threads(1);
#elif defined(GEMM_OPENBLAS)
    openblas_set_num_threads(1);
#else
    libxsmm_init();
#endif
    size_t WW = (size_t)n.W * n.W, BW = (size_t)n.B * n.W;
    n.Wt = malloc((size_t)n.L * WW * sizeof(float));
    n.WT = malloc((size_t)n.L * WW * sizeof(float));
    n.a = malloc(BW * sizeof(float));
    n.z = malloc(BW * sizeof(float));
    n.d = malloc(BW * sizeof(float));
    n.dW = malloc(WW * sizeof(float));
    n.dX = malloc(BW * sizeof(float));
    if (!n.Wt || !n.WT || !n.a || !n.z || !n.d || !n.dW || !n.dX) return 1;
    uint64_t s = 1;
    fill(n.Wt, (size_t)n.L * WW, &s, 0.2f);
    for (int l = 0; l < n.L; l++)
        for (int i = 0; i < n.W; i++)
            for (int j = 0; j < n.W; j++) n.WT[l * WW + (size_t)j * n.W + i] = n.Wt[l * WW + (size_t)i * n.W + j];
    fill(n.a, BW, &s, 1.0f);
    fill(n.d, BW, &s, 1.0f);
    /* same bits twice: from the same z, two steps' outputs hashed */
    uint64_t h[2];
    for (int r = 0; r < 2; r++) {
        memset(n.z, 0, BW * sizeof(float));
        step(&n, 0);
        h[r] = hash(n.dX, BW, hash(n.dW, WW, hash(n.z, BW, 14695981039346656037ULL)));
    }
    double t = measure(&n, 0, budget), tk = measure(&n, 1, budget);
    double flops = 2.0 * n.B * WW * (3.0 * n.L - 1);
    printf("lib=%s L=%d W=%d B=%d step_s=%.9g keepT_s=%.9g gflops=%.4g same_bits=%d hash=%016llx\n",
           LIB, n.L, n.W, n.B, t, tk, flops / t * 1e-9, h[0] == h[1], (unsigned long long)h[0]);
#if defined(GEMM_XSMM)
    libxsmm_finalize();
#endif
    return 0;
}
