/* gradtrace benchmark (issue 6): training-step time with and without probes, the sgemm
 * bounds it is held against, peak memory against the arithmetic minimum, depth scaling,
 * and hooks for `gradtrace census` / `gradtrace sweep`. Benchmarks are not tests: this
 * measures and reports; it never fails on a missed target.
 *
 * The parent process only orchestrates: every measurement runs in a fresh exec of this
 * binary (`bench --case ...`, `bench --sgemm ...`) with its CPU affinity and BLAS thread
 * count set before exec, so each child's peak RSS is its own and OpenBLAS's thread pool is
 * created under the right CPU mask. A child prints one `key=value ...` line on stdout. */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "data.h"
#include "init.h"
#include "net.h"
#include "optim.h"
#include "probe.h"
#include "run.h"

#define OUT_CLASSES 10
#define MAX_SAMPLES 4000

/* ------------------------------------------------------------------ small utilities */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of this process, all threads (time stolen by other processes not counted). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of v[0..n) (sorts v; linear interpolation). */
static double quantile(double *v, int n, double q)
{
    if (n <= 0) return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double pos = q * (n - 1);
    int i = (int)pos;
    return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
}

/* A /proc/self/status field in bytes (VmRSS, VmHWM), or -1. */
static long long proc_status_bytes(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long long kb = -1;
    size_t len = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            kb = atoll(line + len + 1);
            break;
        }
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

static void xfree_dataset(Dataset *d)
{
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------------ one configuration */

typedef struct {
    long depth;
    size_t width, batch;
    ActKind act;
    Net net;
    Optim opt;
    LayerStats *st;
    double *scratch;
    int probes;         /* the step being timed logs (train_step -> layer_done) */
    Dataset data;
    int diverged;
    long resid_k;       /* residual blocks of K layers (0: plain) */
    NormKind norm;      /* normalization of every hidden layer */
} Case;

static size_t hidden_fan(const Net *n, int l) { return n->layers[l].fan_out; }

/* Arithmetic minimum of a training step's memory, in bytes: parameters, gradients,
 * optimiser state (plain SGD: none), one (batch x fan_out) tensor per layer kept for
 * backprop (outputs of hidden layers, logits of the last), one more on a residual net's
 * stream layers (the stream h beside the layer's own output, from which backward needs
 * f'), what a norm layer cannot recompute (below), and the float32 batch with its labels. */
static double min_bytes(const Net *n)
{
    double p = 0, a = 0;
    for (int l = 0; l < n->nlayers; l++) {
        const Layer *L = &n->layers[l];
        double fo = (double)L->fan_out;
        p += (double)L->fan_in * fo + fo;
        a += (double)n->batch * (double)hidden_fan(n, l) * (1 + net_is_stream(n, l));
        if (n->norm == NORM_NONE || l + 1 == n->nlayers) continue;
        /* a norm layer: gamma and beta (with their gradients: in p), mean and 1/std of the
         * forward (u is recomputable from z with them), batch norm's running mean and var */
        p += 2 * fo;
        a += 2.0 * (double)norm_stat_len(n->norm, n->batch, L->fan_out) + (n->norm == NORM_BATCH ? 2 * fo : 0);
    }
    double data = (double)n->batch * (double)n->in_dim + (double)n->batch;
    return 4.0 * (2 * p + a + data);
}

static double step_flops(const Net *n)
{
    double s = 0;
    for (int l = 0; l < n->nlayers; l++)
        s += (double)n->layers[l].fan_in * (double)n->layers[l].fan_out;
    return 6.0 * (double)n->batch * s;
}

static int case_setup(Case *c, GtErr *e)
{
    NetSpec ns = {
        .dtype = DT_F32, .in_dim = c->width, .width = c->width, .out_dim = OUT_CLASSES,
        .batch = c->batch, .depth = c->depth, .act = c->act,
        .ap = {.alpha = 0.01, .relu_grad_at_zero = 0},
        .resid_k = c->resid_k, .resid_scale = 0.01, /* keeps a 200-layer relu stream and its training finite */
        .norm = c->norm, .norm_eps = 1e-5,
    };
    int rc = net_create(&c->net, &ns, e);
    if (rc) return rc;
    Rng r;
    rng_seed(&r, 1, RNG_INIT);
    InitKind k = c->act == ACT_RELU ? INIT_HE_NORMAL : INIT_XAVIER_NORMAL;
    if ((rc = net_init_params(&c->net, k, 1.0, 0.0, &r, e))) return rc;
    if ((rc = optim_create(&c->opt, &c->net, OPT_SGD, 0.01, 0.9, e))) return rc;
    c->st = calloc((size_t)c->net.nlayers, sizeof *c->st);
    c->scratch = malloc(PROBE_SCRATCH(&c->net) * sizeof *c->scratch);
    /* one batch of N(0,1) features and uniform labels: the step is what is timed */
    c->data.n = c->batch;
    c->data.dim = c->width;
    c->data.classes = OUT_CLASSES;
    c->data.x = malloc(c->batch * c->width * sizeof *c->data.x);
    c->data.y = malloc(c->batch * sizeof *c->data.y);
    if (!c->st || !c->scratch || !c->data.x || !c->data.y)
        return gt_fail(e, GT_ESYS, "out of memory");
    Rng dr;
    rng_seed(&dr, 1, RNG_DATA);
    for (size_t i = 0; i < c->batch * c->width; i++) c->data.x[i] = rng_normal(&dr);
    for (size_t i = 0; i < c->batch; i++) c->data.y[i] = (int32_t)rng_below(&dr, OUT_CLASSES);
    return GT_OK;
}

static void case_free(Case *c)
{
    optim_free(&c->opt);
    net_free(&c->net);
    free(c->st);
    free(c->scratch);
    xfree_dataset(&c->data);
}

/* run.c's NetLayerDone: probes (on a logged step), then the update of layer l. */
static void layer_done(void *ctx, Net *n, int l)
{
    Case *c = ctx;
    if (c->probes) probe_layer_done(n, l, c->batch, c->st, c->scratch);
    optim_layer(&c->opt, n, l, c->probes ? &c->st[l] : NULL);
}

/* One training step exactly as run.c's train loop does it: backward calls layer_done as
 * it finishes each layer, which with probes runs the logged-step path (probe_layer_done, then
 * optim_layer filling the update columns) and without, the unlogged path. A non-finite
 * loss ends the step where run.c would stop. */
static void train_step(Case *c, int probes)
{
    Net *n = &c->net;
    size_t B = c->batch, ok;
    net_load_input(n, &c->data, NULL, 0, B);
    net_forward(n, B);
    double loss = net_loss(n, LOSS_XENT, c->data.y, B, &ok, 1);
    if (!isfinite(loss)) {
        c->diverged = 1;
        return;
    }
    c->probes = probes;
    optim_begin(&c->opt);
    net_backward(n, B, probes, layer_done, c);
    if (n->nonfinite) c->diverged = 1;
}

/* The step's cblas_sgemm calls alone, on the net's own buffers, in the step's order:
 * forward z = a.W (+ the bias already in z: beta 1), backward dW = a^T.delta / B and
 * delta_prev = delta.W^T (not for the first layer). The delta read always comes from
 * dbuf[0] (a real delta left by the last step) and dX goes to dbuf[1], so no chain of
 * un-normalised products can drift into Inf or subnormals here. */
static void gemm_only(Case *c)
{
    Net *n = &c->net;
    int m = (int)c->batch;
    const float *in = n->x;
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        int fi = (int)L->fan_in, fo = (int)L->fan_out;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, fo, fi, 1.0f, in, fi, L->W,
                    fo, 1.0f, L->z, fo);
        in = n->abuf[l % 2]; /* the outputs forward left there (same shapes) */
    }
    const float *d = n->dbuf[0];
    float *dn = n->dbuf[1];
    for (int l = n->nlayers - 1; l >= 0; l--) {
        Layer *L = &n->layers[l];
        int fi = (int)L->fan_in, fo = (int)L->fan_out;
        const float *ain = l ? n->abuf[(l - 1) % 2] : n->x;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, fi, fo, m, 1.0f / (float)m, ain,
                    fi, d, fo, 0.0f, L->dW, fo);
        if (l == 0) break;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, fi, fo, 1.0f, d, fo, L->W, fo,
                    0.0f, dn, fi);
    }
}

typedef struct {
    double v[MAX_SAMPLES];
    int n;
} Samples;

/* Child: measures one (depth, width, batch, activation, threads) configuration. Probes-on
 * steps, probes-off steps and the gemm-only sequence are timed round-robin, one sample
 * each per round, so a drift in machine speed hits all three alike. */
static int child_case(int argc, char **argv)
{
    if (argc < 8) return 2;
    Case c = {0};
    c.depth = atol(argv[2]);
    c.width = (size_t)atol(argv[3]);
    c.batch = (size_t)atol(argv[4]);
    c.act = strcmp(argv[5], "relu") == 0 ? ACT_RELU : ACT_SIGMOID;
    int threads = atoi(argv[6]);
    double budget = atof(argv[7]);
    int with_gemm = 1;
    for (int i = 8; i < argc; i++)
        if (strcmp(argv[i], "--no-gemm") == 0) with_gemm = 0;
        else if (strcmp(argv[i], "--resid") == 0 && i + 1 < argc) c.resid_k = atol(argv[++i]);
        else if (strcmp(argv[i], "--norm") == 0 && i + 1 < argc && norm_lookup(argv[i + 1]) >= 0)
            c.norm = (NormKind)norm_lookup(argv[++i]);
        else return 2;
    openblas_set_num_threads(threads);
    {   /* start OpenBLAS's workers, then take the process's own footprint */
        float a[64] = {0}, b[64] = {0}, z[64] = {0};
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 8, 8, 8, 1, a, 8, b, 8, 0, z, 8);
    }
    long long base = proc_status_bytes("VmRSS");
    GtErr e = {0};
    double t_setup = now();
    if (case_setup(&c, &e)) {
        printf("status=error msg=\"%s\"\n", e.msg);
        case_free(&c);
        return 0;
    }
    t_setup = now() - t_setup;
    static Samples on, off, gm, on_c, off_c, gm_c;
    /* warm-up: page in every buffer, let OpenBLAS size its buffers */
    double t0 = now();
    do {
        train_step(&c, 1);
        train_step(&c, 0);
    } while (now() - t0 < 0.1 * budget && now() - t0 < 1.0);
    t0 = now();
    while (on.n < MAX_SAMPLES && !(on.n >= 5 && now() - t0 >= budget)) {
        double t = now(), c0 = cpu_now();
        train_step(&c, 1);
        double t1 = now(), c1 = cpu_now();
        train_step(&c, 0);
        double t2 = now(), c2 = cpu_now();
        on.v[on.n++] = t1 - t;
        off.v[off.n++] = t2 - t1;
        on_c.v[on_c.n++] = c1 - c0;
        off_c.v[off_c.n++] = c2 - c1;
        if (with_gemm) {
            gemm_only(&c);
            gm.v[gm.n++] = now() - t2;
            gm_c.v[gm_c.n++] = cpu_now() - c2;
        }
    }
    long long hwm = proc_status_bytes("VmHWM");
    double q_on[3] = {quantile(on.v, on.n, .25), quantile(on.v, on.n, .5), quantile(on.v, on.n, .75)};
    double q_off[3] = {quantile(off.v, off.n, .25), quantile(off.v, off.n, .5), quantile(off.v, off.n, .75)};
    double q_gm = with_gemm ? quantile(gm.v, gm.n, .5) : NAN;
    double cpu_on = quantile(on_c.v, on_c.n, .5), cpu_off = quantile(off_c.v, off_c.n, .5),
           cpu_gm = with_gemm ? quantile(gm_c.v, gm_c.n, .5) : NAN;
    printf("status=%s samples=%d on=%.9g on_q1=%.9g on_q3=%.9g off=%.9g off_q1=%.9g "
           "off_q3=%.9g gemm=%.9g flops=%.17g base_rss=%lld hwm=%lld net_bytes=%zu "
           "min_bytes=%.17g setup_s=%.6g cpu_on=%.9g cpu_off=%.9g cpu_gemm=%.9g\n",
           c.diverged ? "diverged" : "ok", on.n, q_on[1], q_on[0], q_on[2], q_off[1], q_off[0],
           q_off[2], q_gm, step_flops(&c.net), base, hwm,
           net_bytes(&(NetSpec){.dtype = DT_F32, .in_dim = c.width, .width = c.width,
                                .out_dim = OUT_CLASSES, .batch = c.batch, .depth = c.depth,
                                .act = c.act, .resid_k = c.resid_k, .resid_scale = 0.01,
                                .norm = c.norm, .norm_eps = 1e-5}),
           min_bytes(&c.net), t_setup, cpu_on, cpu_off, cpu_gm);
    case_free(&c);
    return 0;
}

/* Thread CPU seconds: with one BLAS thread all of a phase's work runs on this thread, and
 * time the scheduler gives to other processes is not counted (a shared machine). */
static double thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Child: where a step's time goes. Median seconds of each phase of run.c's step (load +
 * forward, loss, backward, probe_layers, optim_step) with and without probes. With one
 * thread the clock is the thread's CPU time (robust to other processes), else wall time. */
static int child_phases(int argc, char **argv)
{
    if (argc < 8) return 2;
    Case c = {0};
    c.depth = atol(argv[2]);
    c.width = (size_t)atol(argv[3]);
    c.batch = (size_t)atol(argv[4]);
    c.act = strcmp(argv[5], "relu") == 0 ? ACT_RELU : ACT_SIGMOID;
    int threads = atoi(argv[6]);
    openblas_set_num_threads(threads);
    double (*clk)(void) = threads == 1 ? thread_cpu_now : now;
    double budget = atof(argv[7]);
    GtErr e = {0};
    if (case_setup(&c, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return 1;
    }
    enum { FWD, LOSS, BWD, PROBE, OPT, NPH };
    static const char *names[NPH] = {"forward", "loss", "backward", "probes", "update"};
    static Samples ph[2][NPH];
    Net *n = &c.net;
    size_t B = c.batch, ok;
    for (int w = 0; w < 3; w++) train_step(&c, 1), train_step(&c, 0);
    double t0 = now();
    while (ph[0][0].n < MAX_SAMPLES && !(ph[0][0].n >= 5 && now() - t0 >= budget))
        for (int probes = 1; probes >= 0; probes--) {
            double t[NPH + 1];
            t[0] = clk();
            net_load_input(n, &c.data, NULL, 0, B);
            net_forward(n, B);
            t[1] = clk();
            net_loss(n, LOSS_XENT, c.data.y, B, &ok, 1);
            t[2] = clk();
            net_backward(n, B, probes, NULL, NULL);
            t[3] = clk();
            if (probes) probe_layers(n, B, c.st, c.scratch);
            t[4] = clk();
            optim_step(&c.opt, n, probes ? c.st : NULL);
            t[5] = clk();
            for (int k = 0; k < NPH; k++) {
                Samples *sp = &ph[1 - probes][k];
                sp->v[sp->n++] = t[k + 1] - t[k];
            }
        }
    printf("status=%s", c.diverged ? "diverged" : "ok");
    for (int k = 0; k < NPH; k++)
        printf(" %s_on=%.9g %s_off=%.9g", names[k], quantile(ph[0][k].v, ph[0][k].n, .5),
               names[k], quantile(ph[1][k].v, ph[1][k].n, .5));
    printf("\n");
    case_free(&c);
    return 0;
}

/* Child for profilers (perf record -- bench --profile ...): repeats one kind of step
 * (on: with probes, off: without, gemm: the gemm-only sequence) for `seconds`. */
static int child_profile(int argc, char **argv)
{
    if (argc < 9) return 2;
    Case c = {0};
    c.depth = atol(argv[2]);
    c.width = (size_t)atol(argv[3]);
    c.batch = (size_t)atol(argv[4]);
    c.act = strcmp(argv[5], "relu") == 0 ? ACT_RELU : ACT_SIGMOID;
    openblas_set_num_threads(atoi(argv[6]));
    double seconds = atof(argv[7]);
    const char *mode = argv[8];
    GtErr e = {0};
    if (case_setup(&c, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return 1;
    }
    train_step(&c, 1);
    long steps = 0;
    double t0 = now();
    while (now() - t0 < seconds) {
        if (strcmp(mode, "gemm") == 0) gemm_only(&c);
        else train_step(&c, strcmp(mode, "on") == 0);
        steps++;
    }
    printf("status=%s steps=%ld per_step=%.9g\n", c.diverged ? "diverged" : "ok", steps,
           (now() - t0) / (double)steps);
    case_free(&c);
    return 0;
}

/* Child: square sgemm N x N x N, median GFLOP/s. */
static int child_sgemm(int argc, char **argv)
{
    if (argc < 5) return 2;
    int N = atoi(argv[2]), threads = atoi(argv[3]);
    double budget = atof(argv[4]);
    openblas_set_num_threads(threads);
    size_t nn = (size_t)N * (size_t)N;
    float *A = malloc(nn * sizeof *A), *B = malloc(nn * sizeof *B), *C = malloc(nn * sizeof *C);
    if (!A || !B || !C) return 1;
    Rng r;
    rng_seed(&r, 7, RNG_DATA);
    for (size_t i = 0; i < nn; i++) {
        A[i] = (float)rng_normal(&r);
        B[i] = (float)rng_normal(&r);
        C[i] = 0;
    }
    static Samples s, sc;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, A, N, B, N, 0, C, N);
    double t0 = now();
    while (s.n < MAX_SAMPLES && !(s.n >= 3 && now() - t0 >= budget)) {
        double t = now(), c = cpu_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, A, N, B, N, 0, C, N);
        s.v[s.n++] = now() - t;
        sc.v[sc.n++] = cpu_now() - c;
    }
    double med = quantile(s.v, s.n, .5), medc = quantile(sc.v, sc.n, .5);
    printf("status=ok samples=%d seconds=%.9g gflops=%.9g cpu_seconds=%.9g\n", s.n, med,
           2.0 * N * (double)N * N / med * 1e-9, medc);
    free(A);
    free(B);
    free(C);
    return 0;
}

/* Child: `runs` tiny training runs in this one process (the work of a sweep without its
 * processes), each into DIR/run-K. Prints the wall time. */
static int child_runs(int argc, char **argv)
{
    if (argc < 4) return 2;
    const char *dir = argv[2];
    int runs = atoi(argv[3]);
    double t0 = now();
    for (int k = 0; k < runs; k++) {
        Config c;
        GtErr e = {0};
        char out[4096], seed[32];
        config_init(&c);
        snprintf(out, sizeof out, "%s/run-%d", dir, k);
        snprintf(seed, sizeof seed, "%d", k + 1);
        int rc = 0;
        for (int i = 4; !rc && i + 1 < argc; i += 2) rc = config_set(&c, argv[i], argv[i + 1], &e);
        if (!rc) rc = config_set(&c, "seed", seed, &e);
        if (!rc) rc = config_set(&c, "out", out, &e);
        if (!rc) rc = config_validate(&c, &e);
        RunResult res;
        static volatile sig_atomic_t never;
        RunOpts ro = {.progress = PROGRESS_OFF};
        if (!rc) rc = run_train(&c, &ro, &never, &res, &e);
        config_free(&c);
        if (rc) {
            printf("status=error msg=\"%s\"\n", e.msg);
            return 0;
        }
    }
    printf("status=ok seconds=%.9g\n", now() - t0);
    return 0;
}

/* ------------------------------------------------------------------ the parent */

static const char *self_exe = "/proc/self/exe";
static char self_path[4096];

typedef struct {
    char line[2048];
    int exit_status;
    double wall;
    long long maxrss;  /* bytes, from wait4 */
    double others_cpu; /* CPUs kept busy by other processes meanwhile, on average */
    double cpu;        /* CPU seconds of the child and every descendant it waited for */
} ChildOut;

static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait). */
static double machine_busy(void)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[10] = {0};
    int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9])
              : 0;
    if (f) fclose(f);
    if (n < 8) return NAN;
    double busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
    return busy / (double)sysconf(_SC_CLK_TCK);
}

/* Waits (up to max_wait seconds) until other processes use less than `quiet` CPUs, so a
 * measurement does not start in the middle of someone's build. Returns their last load. */
static double wait_quiet(double quiet, double max_wait)
{
    double t0 = now(), load = 0;
    for (;;) {
        double b0 = machine_busy(), s0 = now();
        struct timespec ts = {0, 300000000};
        nanosleep(&ts, NULL);
        load = (machine_busy() - b0) / (now() - s0);
        if (!(load > quiet) || now() - t0 > max_wait) return load;
    }
}

/* Runs argv (argv[0] the program) with CPU affinity {0..cpus-1} and OPENBLAS_NUM_THREADS /
 * OMP_NUM_THREADS set to threads (when > 0), captures the last stdout line. With quiet,
 * stdout and stderr are discarded except that line. */
static int run_child(char *const argv[], int cpus, int threads, int quiet, ChildOut *o)
{
    int fd[2];
    if (pipe(fd)) return -1;
    double busy0 = machine_busy(), cpu0 = children_cpu();
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (cpus > 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            for (int i = 0; i < cpus; i++) CPU_SET(i, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        if (threads > 0) {
            char t[16];
            snprintf(t, sizeof t, "%d", threads);
            setenv("OPENBLAS_NUM_THREADS", t, 1);
            setenv("OMP_NUM_THREADS", t, 1);
        }
        dup2(fd[1], 1);
        if (quiet) {
            FILE *nul = fopen("/dev/null", "w");
            if (nul) dup2(fileno(nul), 2);
        }
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    char buf[2048];
    o->line[0] = 0;
    while (f && fgets(buf, sizeof buf, f))
        if (strchr(buf, '\n') || strlen(buf) < sizeof buf - 1) snprintf(o->line, sizeof o->line, "%s", buf);
    if (f) fclose(f);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    o->wall = now() - t0;
    o->maxrss = (long long)ru.ru_maxrss * 1024;
    double own = children_cpu() - cpu0; /* the child and the descendants it reaped */
    o->cpu = own;
    o->others_cpu = (machine_busy() - busy0 - own) / o->wall;
    if (o->others_cpu < 0) o->others_cpu = 0;
    o->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    size_t n = strlen(o->line);
    if (n && o->line[n - 1] == '\n') o->line[n - 1] = 0;
    return 0;
}

/* Value of key in a `key=value ...` line as a number (NAN when absent). */
static double kv(const char *line, const char *key)
{
    size_t len = strlen(key);
    for (const char *p = line; (p = strstr(p, key)); p += len)
        if ((p == line || p[-1] == ' ') && p[len] == '=') return strtod(p + len + 1, NULL);
    return NAN;
}

static int kv_status_ok(const char *line) { return strncmp(line, "status=ok", 9) == 0; }

/* ---- results.csv: one wide table, one header, an empty field where not measured ---- */

static const char CSV_HEADER[] =
    "section,cpu,blas_core,blas_config,threads,depth,width,batch,activation,samples,"
    "step_probes_s,step_plain_s,probe_overhead,gemm_bound_s,step_over_gemm,flops,"
    "gflops_probes,gflops_plain,sgemm_peak_gflops,share_of_peak_probes,share_of_peak_plain,"
    "peak_rss_bytes,base_rss_bytes,net_bytes,min_bytes,peak_over_min,net_over_min,"
    "seconds,rate_per_s,others_cpu,cpu_probes_s,cpu_plain_s,cpu_gemm_s,status";

#define NV 25 /* numeric columns from samples on */

typedef struct {
    const char *section;
    int threads;
    long depth, width, batch;
    const char *act;
    double v[NV]; /* samples .. cpu_gemm_s, in header order */
    const char *status;
} CsvRow;

static char g_cpu[256], g_core[128], g_config[256];

static void csv_row(FILE *f, const CsvRow *r)
{
    if (!f) return;
    fprintf(f, "%s,\"%s\",%s,\"%s\",", r->section, g_cpu, g_core, g_config);
    if (r->threads) fprintf(f, "%d", r->threads);
    fputc(',', f);
    if (r->depth) fprintf(f, "%ld", r->depth);
    fputc(',', f);
    if (r->width) fprintf(f, "%ld", r->width);
    fputc(',', f);
    if (r->batch) fprintf(f, "%ld", r->batch);
    fprintf(f, ",%s", r->act ? r->act : "");
    for (int i = 0; i < NV; i++) {
        fputc(',', f);
        if (isfinite(r->v[i])) fprintf(f, "%.9g", r->v[i]);
    }
    fprintf(f, ",%s\n", r->status ? r->status : "");
    fflush(f);
}

static CsvRow blank_row(const char *section)
{
    CsvRow r = {.section = section};
    for (int i = 0; i < NV; i++) r.v[i] = NAN;
    return r;
}

enum { C_SAMPLES, C_ON, C_OFF, C_OVH, C_GEMM, C_SOG, C_FLOPS, C_GF_ON, C_GF_OFF, C_PEAK,
       C_SHARE_ON, C_SHARE_OFF, C_RSS, C_BASE, C_NETB, C_MINB, C_PK_MIN, C_NET_MIN, C_SECONDS,
       C_RATE, C_OTHERS, C_CPU_ON, C_CPU_OFF, C_CPU_GEMM };

static void machine_info(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512], model[200] = "unknown CPU";
    int family = -1, mod = -1;
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        if (strncmp(line, "model name", 10) == 0 && model[0] == 'u') {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = 0;
        } else if (strncmp(line, "cpu family", 10) == 0 && family < 0) {
            family = atoi(colon + 1);
        } else if (strncmp(line, "model\t", 6) == 0 && mod < 0) {
            mod = atoi(colon + 1);
        }
    }
    if (f) fclose(f);
    snprintf(g_cpu, sizeof g_cpu, "%s (family %d model %d) x%ld", model, family, mod,
             sysconf(_SC_NPROCESSORS_ONLN));
    snprintf(g_core, sizeof g_core, "%s", openblas_get_corename());
    snprintf(g_config, sizeof g_config, "%s", openblas_get_config());
}

static double loadavg(void)
{
    double l = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &l) != 1) l = NAN;
    if (f) fclose(f);
    return l;
}

static void machine_line(FILE *out, int threads)
{
    const char *ct = getenv("OPENBLAS_CORETYPE");
    fprintf(out, "machine: %s | OpenBLAS core %s%s%s%s | %s | threads %d | load %.2f\n",
            g_cpu, g_core, ct ? " (OPENBLAS_CORETYPE=" : "", ct ? ct : "", ct ? ")" : "",
            g_config, threads, loadavg());
}

typedef struct {
    long L, W, B;
} Shape;

static const Shape SHAPES[] = {{20, 256, 128}, {50, 1024, 256}, {200, 64, 64},
                               {10, 2048, 256}, {1000, 64, 32}};
#define NSHAPES (int)(sizeof SHAPES / sizeof *SHAPES)

typedef struct {
    int quick, steps_only, skip_depth, skip_extra, jacobian_only, cures_only;
    double scale, patience;
    const char *csv, *gradtrace, *census_args, *sweep_dir;
    long census_trials;
} Opts;

/* Seconds of measurement for a configuration: scaled to the step's cost so that the heavy
 * wide nets still get >= 5 samples of each kind and the whole run stays near 5 minutes. */
static double budget_for(const Shape *s, const Opts *o)
{
    double flops = 6.0 * s->B * (double)s->W * s->W * (s->L + 1);
    double b = flops > 2e10 ? 6.0 : 2.5;
    return b * o->scale;
}

static double g_peak[3]; /* square sgemm GFLOP/s by threads */
static double g_patience = 5;
static double g_peak_cpu;   /* 1 thread, from CPU time: robust to other processes */

static const char *fix1(double v, char *buf)
{
    if (isfinite(v)) snprintf(buf, 16, "%.1f", v);
    else snprintf(buf, 16, "-");
    return buf;
}

static void run_sgemm(FILE *csv, const Opts *o)
{
    static const int sizes[] = {1024, 2048, 4096};
    printf("\n== square sgemm (median GFLOP/s; peak = best size)\n");
    for (int t = 1; t <= 2; t++) {
        machine_line(stdout, t);
        printf("  %6s %10s %10s %6s %14s\n", "N", "seconds", "GFLOP/s", "others",
               t == 1 ? "GFLOP/s (CPU)" : "");
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            if (o->quick && sizes[i] == 4096) continue;
            char n[16], th[8], bud[16];
            snprintf(n, sizeof n, "%d", sizes[i]);
            snprintf(th, sizeof th, "%d", t);
            snprintf(bud, sizeof bud, "%g", 1.5 * o->scale);
            char *argv[] = {self_path, "--sgemm", n, th, bud, NULL};
            ChildOut co;
            wait_quiet(0.3, o->patience);
            if (run_child(argv, t, t, 0, &co) || !kv_status_ok(co.line)) {
                printf("  %6d failed (%s)\n", sizes[i], co.line);
                continue;
            }
            double gf = kv(co.line, "gflops"), sec = kv(co.line, "seconds");
            if (gf > g_peak[t]) g_peak[t] = gf;
            double gfc = 2.0 * sizes[i] * (double)sizes[i] * sizes[i] / kv(co.line, "cpu_seconds") * 1e-9;
            if (t == 1 && gfc > g_peak_cpu) g_peak_cpu = gfc;
            char gcs[16];
            printf("  %6d %10.4f %10.1f %6.2f %14s\n", sizes[i], sec, gf, co.others_cpu,
                   t == 1 ? fix1(gfc, gcs) : "");
            CsvRow r = blank_row("sgemm");
            r.threads = t;
            r.width = sizes[i];
            r.v[C_SAMPLES] = kv(co.line, "samples");
            r.v[C_SECONDS] = sec;
            r.v[C_PEAK] = gf;
            r.v[C_OTHERS] = co.others_cpu;
            r.status = "ok";
            csv_row(csv, &r);
        }
    }
}

typedef struct {
    double on, off, gemm, flops, rss, base, netb, minb, samples, spread, others;
    double cpu_on, cpu_off, cpu_gemm;
    int ok;
    char status[32];
} CaseResult;

/* One configuration in a child; VARIANT: NULL (plain) or the child's extra arguments
 * ("--resid", "1", NULL). */
static CaseResult run_case(long L, long W, long B, const char *act, int t, double budget,
                           int gemm, const char *const *variant)
{
    CaseResult cr = {0};
    char sL[24], sW[24], sB[24], th[8], bud[16];
    snprintf(sL, sizeof sL, "%ld", L);
    snprintf(sW, sizeof sW, "%ld", W);
    snprintf(sB, sizeof sB, "%ld", B);
    snprintf(th, sizeof th, "%d", t);
    snprintf(bud, sizeof bud, "%g", budget);
    char *argv[16] = {self_path, "--case", sL, sW, sB, (char *)act, th, bud};
    int na = 8;
    if (!gemm) argv[na++] = "--no-gemm";
    for (; variant && *variant && na < 15; variant++) argv[na++] = (char *)*variant;
    argv[na] = NULL;
    ChildOut co;
    wait_quiet(0.3, g_patience);
    if (run_child(argv, t, t, 0, &co) || co.exit_status || strncmp(co.line, "status=", 7)) {
        snprintf(cr.status, sizeof cr.status, "failed(%d)", co.exit_status);
        return cr;
    }
    sscanf(co.line, "status=%31s", cr.status);
    cr.ok = 1;
    cr.on = kv(co.line, "on");
    cr.off = kv(co.line, "off");
    cr.gemm = kv(co.line, "gemm");
    cr.flops = kv(co.line, "flops");
    cr.rss = (double)co.maxrss;
    cr.base = kv(co.line, "base_rss");
    cr.netb = kv(co.line, "net_bytes");
    cr.minb = kv(co.line, "min_bytes");
    cr.samples = kv(co.line, "samples");
    cr.spread = (kv(co.line, "off_q3") - kv(co.line, "off_q1")) / cr.off;
    cr.others = co.others_cpu;
    cr.cpu_on = kv(co.line, "cpu_on");
    cr.cpu_off = kv(co.line, "cpu_off");
    cr.cpu_gemm = kv(co.line, "cpu_gemm");
    return cr;
}

/* results.csv's row of one measured configuration: what every step table has */
static CsvRow case_row(const char *section, int t, long L, long W, long B, const char *act,
                       const CaseResult *cr)
{
    CsvRow r = blank_row(section);
    r.threads = t;
    r.depth = L;
    r.width = W;
    r.batch = B;
    r.act = act;
    r.v[C_SAMPLES] = cr->samples;
    r.v[C_ON] = cr->on;
    r.v[C_OFF] = cr->off;
    r.v[C_OVH] = cr->on / cr->off;
    r.v[C_FLOPS] = cr->flops;
    r.v[C_GF_ON] = cr->flops / cr->on * 1e-9;
    r.v[C_GF_OFF] = cr->flops / cr->off * 1e-9;
    r.v[C_RSS] = cr->rss;
    r.v[C_BASE] = cr->base;
    r.v[C_NETB] = cr->netb;
    r.v[C_MINB] = cr->minb;
    r.v[C_PK_MIN] = cr->rss / cr->minb;
    r.v[C_NET_MIN] = (cr->rss - cr->base) / cr->minb;
    r.v[C_OTHERS] = cr->others;
    r.v[C_CPU_ON] = cr->cpu_on;
    r.v[C_CPU_OFF] = cr->cpu_off;
    r.status = cr->status;
    return r;
}

/* A ratio as "12.3%" / "1.23", or "-" when not measured. */
static const char *pct(double v, char *buf)
{
    if (isfinite(v)) snprintf(buf, 16, "%.1f%%", 100 * v);
    else snprintf(buf, 16, "-");
    return buf;
}
static const char *fix2(double v, char *buf)
{
    if (isfinite(v)) snprintf(buf, 16, "%.2f", v);
    else snprintf(buf, 16, "-");
    return buf;
}

static void run_steps(FILE *csv, const Opts *o)
{
    static const char *acts[] = {"relu", "sigmoid"};
    printf("\n== training step, float32, SGD (median seconds per step; probes = all probes "
           "every step)\n");
    for (int t = 1; t <= 2; t++) {
        machine_line(stdout, t);
        printf("  %-15s %-7s %9s %9s %6s %9s %6s %8s %6s %6s %9s %9s %6s %6s %6s %6s %7s %7s\n", "L,W,B", "act",
               "probes", "plain", "ovh", "gemm", "/gemm", "GFLOP/s", "%peak", "spread", "peakRSS",
               "minimum", "pk/min", "net/mn", "others", "c.ovh", "c./gemm", "c.%peak");
        for (int i = 0; i < NSHAPES; i++)
            for (int a = 0; a < 2; a++) {
                const Shape *s = &SHAPES[i];
                CaseResult cr = run_case(s->L, s->W, s->B, acts[a], t, budget_for(s, o),
                                         !o->steps_only, NULL);
                char shape[32];
                snprintf(shape, sizeof shape, "%ld,%ld,%ld", s->L, s->W, s->B);
                if (!cr.ok) {
                    printf("  %-15s %-7s %s\n", shape, acts[a], cr.status);
                    continue;
                }
                double peak = g_peak[t] > 0 ? g_peak[t] : NAN;
                char c_ovh[16], c_gemm[16], c_pk[16];
                double net_mem = cr.rss - cr.base;
                char g_s[16], g_r[16], pk[16];
                if (isfinite(cr.gemm)) snprintf(g_s, sizeof g_s, "%.5f", cr.gemm);
                else snprintf(g_s, sizeof g_s, "-");
                pct(cr.flops / cr.on * 1e-9 / peak, pk);
                fix2(cr.on / cr.gemm, g_r);
                printf("  %-15s %-7s %9.5f %9.5f %5.1f%% %9s %6s %8.1f %6s %5.1f%% "
                       "%8.1fM %8.1fM %6.2f %6.2f %6.2f %6s %7s %7s%s\n",
                       shape, acts[a], cr.on, cr.off, 100 * (cr.on / cr.off - 1), g_s, g_r,
                       cr.flops / cr.on * 1e-9, pk,
                       100 * cr.spread, cr.rss / 1048576, cr.minb / 1048576, cr.rss / cr.minb,
                       net_mem / cr.minb, cr.others,
                       pct(t == 1 ? cr.cpu_on / cr.cpu_off - 1 : NAN, c_ovh),
                       fix2(t == 1 ? cr.cpu_on / cr.cpu_gemm : NAN, c_gemm),
                       pct(t == 1 ? cr.flops / cr.cpu_on * 1e-9 / g_peak_cpu : NAN, c_pk),
                       strcmp(cr.status, "ok") ? "  DIVERGED" : "");
                CsvRow r = case_row("step", t, s->L, s->W, s->B, acts[a], &cr);
                r.v[C_GEMM] = cr.gemm;
                r.v[C_SOG] = cr.on / cr.gemm;
                r.v[C_PEAK] = peak;
                r.v[C_SHARE_ON] = r.v[C_GF_ON] / peak;
                r.v[C_SHARE_OFF] = r.v[C_GF_OFF] / peak;
                r.v[C_CPU_GEMM] = cr.cpu_gemm;
                csv_row(csv, &r);
            }
    }
    printf("  (ovh: probes/plain - 1; /gemm: probes step over the gemm bound; %%peak: probes "
           "step vs square sgemm;\n   spread: interquartile range of plain steps / median; "
           "net/mn: (peak RSS - RSS before the net) / minimum;\n   others: CPUs busy with "
           "other processes during the measurement, on average;\n   c.ovh, c./gemm: the same "
           "ratios from CPU time, robust to other processes (1 thread only);\n   c.%%peak: "
           "probes step GFLOP/s from CPU time vs the square sgemm's from CPU time)\n");
}

/* Where the time of a 1-thread step goes, phase by phase (thread CPU time; see
 * child_phases). Phases need the long way (backward, then probes and the update over all
 * layers, as on a --histograms step): the fused step interleaves the last three, and its
 * probes find each layer's outputs still computed, where these recompute them. Printed
 * only: the step table above has the totals. */
static void run_phases(const Opts *o)
{
    static const char *acts[] = {"relu", "sigmoid"};
    static const char *ph[] = {"forward", "loss", "backward", "probes", "update"};
    printf("\n== where a step's time goes, 1 thread (thread CPU ms, median; with probes / "
           "without; phases of the unfused step)\n");
    machine_line(stdout, 1);
    printf("  %-15s %-7s %15s %13s %15s %13s %13s %8s\n", "L,W,B", "act", "forward",
           "loss", "backward", "probes", "update", "extra");
    for (int i = 0; i < NSHAPES; i++)
        for (int a = 0; a < 2; a++) {
            const Shape *s = &SHAPES[i];
            char sL[24], sW[24], sB[24], bud[16], shape[32];
            snprintf(sL, sizeof sL, "%ld", s->L);
            snprintf(sW, sizeof sW, "%ld", s->W);
            snprintf(sB, sizeof sB, "%ld", s->B);
            snprintf(bud, sizeof bud, "%g", 0.5 * budget_for(s, o));
            snprintf(shape, sizeof shape, "%ld,%ld,%ld", s->L, s->W, s->B);
            char *argv[] = {self_path, "--phases", sL, sW, sB, (char *)acts[a], "1", bud, NULL};
            ChildOut co;
            wait_quiet(0.3, o->patience);
            if (run_child(argv, 1, 1, 0, &co) || strncmp(co.line, "status=", 7)) {
                printf("  %-15s %-7s failed\n", shape, acts[a]);
                continue;
            }
            printf("  %-15s %-7s", shape, acts[a]);
            double extra = 0;
            for (int k = 0; k < 5; k++) {
                char kon[32], koff[32];
                snprintf(kon, sizeof kon, "%s_on", ph[k]);
                snprintf(koff, sizeof koff, "%s_off", ph[k]);
                double on = kv(co.line, kon), off = kv(co.line, koff);
                extra += on - off;
                printf(k == 1 ? " %6.3f/%6.3f" : " %7.2f/%7.2f", on * 1e3, off * 1e3);
            }
            printf(" %7.2f\n", extra * 1e3);
        }
    printf("  (extra: the probes' cost summed over phases; backward includes the delta norms, "
           "update the update statistics)\n");
}

static void run_depth(FILE *csv, const Opts *o)
{
    static const long depths[] = {1000, 2500, 5000, 10000};
    printf("\n== depth scaling, width 64, batch 32, relu (He normal), 1 thread\n");
    machine_line(stdout, 1);
    printf("  %6s %9s %9s %12s %13s %9s %9s %12s %6s %s\n", "depth", "probes", "plain",
           "us/layer(pr)", "cpu us/layer", "peakRSS", "net", "net B/layer", "others", "status");
    for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
        long L = depths[i];
        CaseResult cr = run_case(L, 64, 32, "relu", 1, (o->quick ? 1.0 : 2.5) * o->scale, 0, NULL);
        if (!cr.ok) {
            printf("  %6ld %s\n", L, cr.status);
            continue;
        }
        double net_mem = cr.rss - cr.base;
        printf("  %6ld %9.5f %9.5f %12.2f %13.2f %8.1fM %8.1fM %12.0f %6.2f %s\n", L, cr.on,
               cr.off, cr.on / (double)(L + 1) * 1e6, cr.cpu_on / (double)(L + 1) * 1e6,
               cr.rss / 1048576, net_mem / 1048576, net_mem / (double)(L + 1), cr.others,
               cr.status);
        CsvRow r = case_row("depth", 1, L, 64, 32, "relu", &cr);
        csv_row(csv, &r);
    }
}

/* The cures (issue 11): residual blocks and norm layers against the plain net, the step
 * with probes and without, at (50, 1024, 256) and (200, 64, 64), relu, 1 thread; each
 * variant in its own child, one after the other, so the ratios come from one run. Targets:
 * residual <= +5 % on the plain step at W >= 256, batch/layer norm <= +15 %; peak memory
 * <= 1.2x the arithmetic minimum. */
static void run_cures(FILE *csv, const Opts *o)
{
    static const Shape shapes[] = {{50, 1024, 256}, {200, 64, 64}};
    static const struct {
        const char *name, *section, *args[5];
    } var[] = {
        {"plain", "cures-plain", {NULL}},
        {"residual 1", "cures-residual1", {"--resid", "1", NULL}},
        {"batch norm", "cures-batchnorm", {"--norm", "batch", NULL}},
        {"layer norm", "cures-layernorm", {"--norm", "layer", NULL}},
        {"res.+batch", "cures-residual1-batchnorm", {"--resid", "1", "--norm", "batch", NULL}},
    };
    const int nvar = (int)(sizeof var / sizeof *var);
    printf("\n== the cures: residual blocks and norm layers vs the plain net, relu, float32, SGD, "
           "1 thread (median seconds per step)\n");
    machine_line(stdout, 1);
    printf("  %-13s %-12s %9s %9s %9s %9s %9s %9s %6s %6s\n", "L,W,B", "net", "probes", "plain",
           "/plain:pr", "/plain:pl", "c./pl:pr", "c./pl:pl", "pk/min", "others");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        const Shape *s = &shapes[i];
        char shape[32];
        snprintf(shape, sizeof shape, "%ld,%ld,%ld", s->L, s->W, s->B);
        CaseResult base = {0};
        for (int v = 0; v < nvar; v++) {
            CaseResult cr = run_case(s->L, s->W, s->B, "relu", 1, budget_for(s, o), 0, var[v].args);
            if (v == 0) base = cr;
            if (!cr.ok || !base.ok) {
                printf("  %-13s %-12s %s\n", shape, var[v].name, cr.ok ? "plain net failed" : cr.status);
                continue;
            }
            char r1[16], r2[16], r3[16], r4[16];
            printf("  %-13s %-12s %9.5f %9.5f %9s %9s %9s %9s %6.2f %6.2f%s\n", shape, var[v].name, cr.on,
                   cr.off, pct(cr.on / base.on - 1, r1), pct(cr.off / base.off - 1, r2),
                   pct(cr.cpu_on / base.cpu_on - 1, r3), pct(cr.cpu_off / base.cpu_off - 1, r4),
                   cr.rss / cr.minb, cr.others, strcmp(cr.status, "ok") ? "  DIVERGED" : "");
            CsvRow r = case_row(var[v].section, 1, s->L, s->W, s->B, "relu", &cr);
            csv_row(csv, &r);
        }
    }
    printf("  (/plain:pr, /plain:pl: the step with probes / without against the plain net's; c./pl: the "
           "same from CPU time;\n   pk/min: peak RSS over the arithmetic minimum, which counts the "
           "residual stream and the norm layers' parameters and statistics)\n");
}

/* `gradtrace SUB --help` succeeds: the subcommand exists. */
static int have_subcommand(const char *exe, const char *sub)
{
    char *argv[] = {(char *)exe, (char *)sub, "--help", NULL};
    ChildOut co;
    return access(exe, X_OK) == 0 && run_child(argv, 0, 0, 1, &co) == 0 && co.exit_status == 0;
}

static int split_args(char *s, char **argv, int max)
{
    int n = 0;
    for (char *tok = strtok(s, " "); tok && n < max; tok = strtok(NULL, " ")) argv[n++] = tok;
    return n;
}

/* `gradtrace census`: the default born-dead table (target: <= 60 s) and the trial rate of
 * one (width, depth) cell, both at one thread. */
static void run_census(FILE *csv, const Opts *o)
{
    printf("\n== gradtrace census: born-dead table, trials per second\n");
    machine_line(stdout, 1);
    if (!have_subcommand(o->gradtrace, "census")) {
        printf("  census: not available yet (`%s census --help` failed)\n", o->gradtrace);
        CsvRow r = blank_row("census");
        r.status = "not-available";
        csv_row(csv, &r);
        return;
    }
    char args[2][1024];
    snprintf(args[0], sizeof args[0], "--csv");
    snprintf(args[1], sizeof args[1], "%s", o->census_args);
    for (int k = 0; k < 2; k++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", args[k]);
        char *argv[64] = {(char *)o->gradtrace, "census"};
        int n = 2 + split_args(buf, argv + 2, 60);
        argv[n] = NULL;
        ChildOut co;
        wait_quiet(0.3, o->patience);
        run_child(argv, 1, 1, 1, &co);
        CsvRow r = blank_row(k ? "census-rate" : "census-table");
        r.threads = 1;
        if (k) r.depth = 50, r.width = 5;
        r.v[C_SECONDS] = co.wall;
        r.v[C_OTHERS] = co.others_cpu;
        r.v[C_CPU_ON] = co.cpu;
        if (k && o->census_trials > 0) r.v[C_RATE] = (double)o->census_trials / co.wall;
        r.status = co.exit_status ? "failed" : "ok";
        if (co.exit_status)
            printf("  census %s: exit status %d (check BENCH_CENSUS_ARGS in bench/bench.mk)\n",
                   args[k], co.exit_status);
        else if (!k)
            printf("  default table (census %s): %.2f s wall, %.2f s CPU, others %.2f\n",
                   args[k], co.wall, co.cpu, co.others_cpu);
        else
            printf("  census %s: %.2f s wall, %.2f s CPU: %.0f trials/s (wall), %.0f (CPU), "
                   "others %.2f\n", args[k], co.wall, co.cpu, r.v[C_RATE],
                   o->census_trials / co.cpu, co.others_cpu);
        csv_row(csv, &r);
    }
}

static int rm_rf(const char *dir)
{
    char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};
    ChildOut co;
    return run_child(argv, 0, 0, 1, &co) || co.exit_status;
}

/* A sweep of 100 tiny runs against the same 100 runs in one process (run_train in a loop):
 * the difference per run is what the sweep machinery (a process per run, its index and
 * bookkeeping) costs. */
static void run_sweep(FILE *csv, const Opts *o)
{
    printf("\n== gradtrace sweep: per-run overhead (100 tiny runs, -j 1)\n");
    machine_line(stdout, 1);
    if (!have_subcommand(o->gradtrace, "sweep")) {
        printf("  sweep: not available yet (`%s sweep --help` failed)\n", o->gradtrace);
        CsvRow r = blank_row("sweep");
        r.status = "not-available";
        csv_row(csv, &r);
        return;
    }
    static const char *keys[][2] = {{"depth", "2"},       {"width", "8"},     {"steps", "10"},
                                    {"every", "10"},      {"batch", "32"},    {"train-size", "256"},
                                    {"test-size", "64"}};
    const int nk = (int)(sizeof keys / sizeof *keys), runs = 100;
    char dir[4096], ini[4200], sdir[4200], pdir[4200];
    snprintf(dir, sizeof dir, "%s", o->sweep_dir);
    rm_rf(dir);
    mkdir(dir, 0755);
    snprintf(ini, sizeof ini, "%s/tiny.ini", dir);
    snprintf(sdir, sizeof sdir, "%s/sweep", dir);
    snprintf(pdir, sizeof pdir, "%s/inproc", dir);
    mkdir(pdir, 0755);
    FILE *f = fopen(ini, "w");
    if (!f) return;
    fprintf(f, "[experiment]\nname = bench-sweep\n\n[run]\n");
    for (int i = 0; i < nk; i++) fprintf(f, "%s = %s\n", keys[i][0], keys[i][1]);
    fprintf(f, "\n[sweep]\nseeds = %d\n", runs);
    fclose(f);
    char *sargv[] = {(char *)o->gradtrace, "sweep", ini, "--out", sdir, "-j", "1", NULL};
    ChildOut cs, cp;
    wait_quiet(0.3, o->patience);
    run_child(sargv, 1, 1, 1, &cs);
    char nruns[16];
    snprintf(nruns, sizeof nruns, "%d", runs);
    char *pargv[64] = {self_path, "--runs", pdir, nruns};
    int n = 4;
    for (int i = 0; i < nk; i++) pargv[n++] = (char *)keys[i][0], pargv[n++] = (char *)keys[i][1];
    pargv[n] = NULL;
    wait_quiet(0.3, o->patience);
    run_child(pargv, 1, 1, 1, &cp);
    CsvRow r = blank_row("sweep");
    r.threads = 1;
    r.depth = 2;
    r.width = 8;
    r.batch = 32;
    if (cs.exit_status || !kv_status_ok(cp.line)) {
        printf("  sweep exit status %d, in-process runs: %s\n", cs.exit_status, cp.line);
        r.status = "failed";
    } else {
        double inproc = kv(cp.line, "seconds"), per = (cs.wall - inproc) / runs;
        double per_cpu = (cs.cpu - cp.cpu) / runs;
        printf("  sweep of %d runs: %.3f s wall (%.3f s CPU); the same runs in one process: "
               "%.3f s wall (%.3f s CPU)\n  overhead per run: %.1f ms wall, %.1f ms CPU; "
               "others %.2f / %.2f\n", runs, cs.wall, cs.cpu, inproc, cp.cpu, per * 1e3,
               per_cpu * 1e3, cs.others_cpu, cp.others_cpu);
        r.v[C_SECONDS] = per;
        r.v[C_RATE] = runs / cs.wall;
        r.v[C_OTHERS] = cs.others_cpu;
        r.v[C_CPU_ON] = per_cpu;
        r.status = "ok";
    }
    csv_row(csv, &r);
    rm_rf(dir);
}

/* `run --jacobian-every` (issue 12): the same run (depth 100, width 256, batch 64, 10 steps,
 * one process each) with the Jacobian probe at step 0 and after the last update (the default
 * 8 samples) and without it; the median of 3 of each, CPU time as the measure (robust to
 * other processes). The difference per measurement is what one spectrum costs. */
static void run_jacobian(FILE *csv, const Opts *o)
{
    printf("\n== gradtrace run --jacobian-every: the probe's cost (depth 100, width 256, batch 64, 10 steps)\n");
    machine_line(stdout, 1);
    static const char *keys[][2] = {{"depth", "100"},    {"width", "256"},     {"steps", "10"},
                                    {"every", "10"},     {"batch", "64"},      {"train-size", "1024"},
                                    {"test-size", "0"},  {"probe-size", "8"},  {"jacobian-every", "10"}};
    const int nk = (int)(sizeof keys / sizeof *keys), reps = o->quick ? 1 : 3, meas = 2;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s-jacobian", o->sweep_dir);
    double cpu[2][3], wall[2][3];
    int bad = 0;
    for (int k = 0; k < reps && !bad; k++)
        for (int on = 1; on >= 0 && !bad; on--) {
            rm_rf(dir);
            mkdir(dir, 0755);
            char *argv[64] = {self_path, "--runs", dir, "1"};
            int n = 4;
            for (int i = 0; i < nk - !on; i++) argv[n++] = (char *)keys[i][0], argv[n++] = (char *)keys[i][1];
            argv[n] = NULL;
            ChildOut co;
            wait_quiet(0.3, o->patience);
            if (run_child(argv, 1, 1, 1, &co) || !kv_status_ok(co.line)) {
                printf("  run failed: %s\n", co.line);
                bad = 1;
                break;
            }
            cpu[on][k] = co.cpu;
            wall[on][k] = kv(co.line, "seconds");
        }
    rm_rf(dir);
    CsvRow r = blank_row("jacobian");
    r.threads = 1;
    r.depth = 100;
    r.width = 256;
    r.batch = 64;
    if (bad) {
        r.status = "failed";
    } else {
        double c_on = quantile(cpu[1], reps, 0.5), c_off = quantile(cpu[0], reps, 0.5);
        double w_on = quantile(wall[1], reps, 0.5), w_off = quantile(wall[0], reps, 0.5);
        double per = (c_on - c_off) / meas, step = c_off / 10;
        printf("  with --jacobian-every 10: %.2f s CPU (%.2f s wall); without: %.2f s CPU (%.2f s wall)\n"
               "  one measurement (8 samples): %.2f s CPU, %.1f training steps of %.3f s (the step's\n"
               "  time includes the run's setup: a lower bound on the count)\n", c_on, w_on, c_off, w_off, per, per / step, step);
        r.v[C_SAMPLES] = 8;
        r.v[C_ON] = w_on;
        r.v[C_OFF] = w_off;
        r.v[C_OVH] = c_on / c_off;
        r.v[C_SECONDS] = per;
        r.v[C_CPU_ON] = c_on;
        r.v[C_CPU_OFF] = c_off;
        r.status = "ok";
    }
    csv_row(csv, &r);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench [--quick] [--scale X] [--csv FILE] [--steps-only] [--skip-depth] [--jacobian-only]\n"
            "             [--cures-only]\n"
            "             [--gradtrace EXE] [--census-args ARGS] [--census-trials N]\n"
            "  --quick       short budgets, no 4096 sgemm (a smoke run, not for RESULTS.md)\n"
            "  --scale X     multiply every measurement budget by X (default 1)\n"
            "  --steps-only  only the step table, no gemm bound (bench-torch's gradtrace side)\n"
            "  --jacobian-only  only the cost of run --jacobian-every\n"
            "  --cures-only  only the residual and normalisation rows\n"
            "  --patience S  before each measurement wait up to S seconds (default 5) for other\n"
            "                processes to leave the CPUs idle\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--case") == 0) return child_case(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--sgemm") == 0) return child_sgemm(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--profile") == 0) return child_profile(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--phases") == 0) return child_phases(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--runs") == 0) return child_runs(argc, argv);
    ssize_t len = readlink(self_exe, self_path, sizeof self_path - 1);
    if (len <= 0) return 1;
    self_path[len] = 0;
    Opts o = {.scale = 1, .patience = 5, .csv = "bench/results.csv", .gradtrace = "build/gradtrace",
              .census_args = "--width 5 --depth 50 --csv", .census_trials = 0,
              .sweep_dir = "/tmp/gradtrace-bench-sweep"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0) o.quick = 1, o.scale = 0.3;
        else if (strcmp(a, "--steps-only") == 0) o.steps_only = 1;
        else if (strcmp(a, "--skip-depth") == 0) o.skip_depth = 1;
        else if (strcmp(a, "--jacobian-only") == 0) o.jacobian_only = 1;
        else if (strcmp(a, "--cures-only") == 0) o.cures_only = 1;
        else if (strcmp(a, "--scale") == 0 && v) o.scale = atof(argv[++i]);
        else if (strcmp(a, "--patience") == 0 && v) o.patience = atof(argv[++i]);
        else if (strcmp(a, "--csv") == 0 && v) o.csv = argv[++i];
        else if (strcmp(a, "--gradtrace") == 0 && v) o.gradtrace = argv[++i];
        else if (strcmp(a, "--census-args") == 0 && v) o.census_args = argv[++i];
        else if (strcmp(a, "--census-trials") == 0 && v) o.census_trials = atol(argv[++i]);
        else {
            usage();
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* tables appear as they are measured */
    g_patience = o.patience;
    machine_info();
    FILE *csv = fopen(o.csv, "w");
    if (!csv) {
        fprintf(stderr, "bench: cannot write %s: %s\n", o.csv, strerror(errno));
        return 1;
    }
    fprintf(csv, "%s\n", CSV_HEADER);
    double t0 = now();
    printf("gradtrace bench%s: every number is a median over repeated steps in a fresh "
           "process pinned to CPUs 0..threads-1\n", o.quick ? " (--quick: smoke run)" : "");
    if (o.jacobian_only || o.cures_only) {
        if (o.jacobian_only) run_jacobian(csv, &o);
        if (o.cures_only) run_cures(csv, &o);
        fclose(csv);
        return 0;
    }
    if (!o.steps_only) run_sgemm(csv, &o);
    run_steps(csv, &o);
    if (!o.steps_only) run_cures(csv, &o);
    if (!o.steps_only) run_phases(&o);
    if (!o.steps_only && !o.skip_depth) run_depth(csv, &o);
    if (!o.steps_only) {
        run_census(csv, &o);
        run_sweep(csv, &o);
        run_jacobian(csv, &o);
    }
    fclose(csv);
    printf("\nbench: %.0f s; results in %s\n", now() - t0, o.csv);
    return 0;
}
