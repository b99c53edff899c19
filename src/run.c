/* The training loop of `gradtrace run`: data -> net -> probes -> traces (DESIGN.md §2).
 * Step s describes the weights after s updates: its forward, backward and probes, then its
 * update. The traces are written as NAME.partial, flushed at every logged step (readable
 * while the run goes) and renamed to NAME when the run ends; run.json is written last. */
#include "run.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "census.h"
#include "checkpoint.h"
#include "data.h"
#include "hist.h"
#include "jacobian.h"
#include "net.h"
#include "optim.h"
#include "probe.h"
#include "progress.h"
#include "summary.h"
#include "trace.h"

#define BLAS_BUFFER_BYTES (136.0 * 1048576) /* Debian OpenBLAS: 128 MiB + guard per buffer */

static const char STEPS_HEADER[] =
    "step,epoch,loss,train_acc,test_loss,test_acc,lr,grad_l2,seconds,clipped";
static const char LAYERS_HEADER[] =
    "step,layer,fan_in,fan_out,weight_l2,grad_w_l2,grad_w_log10,grad_b_l2,delta_rms,"
    "delta_log10,act_mean,act_std,frac_zero,frac_dead_batch,frac_saturated,frac_preact_zero,"
    "sign_coherence,update_ratio,frac_update_zero,frac_nonpositive_batch,grad_gamma_l2,"
    "grad_beta_l2,resid_ratio";

typedef struct {
    const Config *c;
    const RunOpts *o;
    Progress prog;
    Dataset train, test;
    Net net;
    Optim opt;
    Census census;
    JacProbe jac;      /* --jacobian-every */
    Hist hists;        /* --histograms: delta binned during backward */
    LayerStats *st;
    double *scratch;
    uint32_t *order;   /* the epoch's sample order */
    Rng shuffle;       /* draws each epoch's order */
    int32_t *ybuf;     /* labels of the current batch */
    CsvFile steps, layers, census_csv, hist, jac_csv, jac_sum_csv;
    CsvFile json;      /* run.json, staged by commit() */
    long total_steps, per_epoch;
    long first;        /* the step this process starts at (> 0: resumed) */
    int checkpointed;  /* a checkpoint of this run is in --out (written or resumed from) */
    char *config_text; /* what a checkpoint records of c */
    int digits;
    double t0, t_loaded;
    double t_before;   /* seconds the run had run before it was resumed */
} Run;

/* The CSV traces, in the order of a checkpoint's offsets. */
static const struct {
    const char *name, *header;
    size_t off;
} TRACES[] = {
    {"steps.csv", STEPS_HEADER, offsetof(Run, steps)},
    {"layers.csv", LAYERS_HEADER, offsetof(Run, layers)},
    {"census.csv", CENSUS_HEADER, offsetof(Run, census_csv)},
    {"histograms.csv", HIST_HEADER, offsetof(Run, hist)},
    {"jacobian.csv", JAC_HEADER, offsetof(Run, jac_csv)},
    {"jacobian_summary.csv", JAC_SUMMARY_HEADER, offsetof(Run, jac_sum_csv)},
};
#define NTRACES ((int)(sizeof TRACES / sizeof *TRACES))

static CsvFile *trace_file(Run *r, int i) { return (CsvFile *)((char *)r + TRACES[i].off); }

/* Whether configuration c writes trace i. */
static int trace_wanted(const Config *c, int i)
{
    return i < 3 || (i == 3 && c->histograms) || (i > 3 && c->jacobian_every);
}

/* Weights are saved under DIR/weights.partial (save_weights) and moved to DIR/weights by
 * commit(): a run that fails or is killed never touches the weights of a run it would
 * replace. */
static void weights_tmp(const Run *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s/weights" PARTIAL_SUFFIX, r->c->out);
}

static void run_free(Run *r)
{
    /* left open only by a failed run: one with a checkpoint keeps them for --resume */
    for (int i = 0; i < NTRACES; i++)
        if (r->checkpointed) csv_detach(trace_file(r, i));
        else csv_abort(trace_file(r, i));
    csv_abort(&r->json);
    char wtmp[4096];
    weights_tmp(r, wtmp, sizeof wtmp);
    if (!r->checkpointed && !r->o->resume) trace_rmtree(wtmp); /* commit() moves it */
    free(r->config_text);
    jac_probe_free(&r->jac);
    hist_free(&r->hists);
    census_free(&r->census);
    optim_free(&r->opt);
    net_free(&r->net);
    dataset_free(&r->train);
    dataset_free(&r->test);
    free(r->st);
    free(r->scratch);
    free(r->order);
    free(r->ybuf);
}

/* Refuses a network that cannot fit before allocating any of it. */
static int check_memory(const Run *r, const NetSpec *ns, GtErr *e)
{
    size_t bytes = net_bytes(ns);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGE_SIZE);
    double have = pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;
    double need = bytes == SIZE_MAX ? INFINITY
                  : (double)bytes * (r->c->optimizer == OPT_ADAM ? 1.5 : 1.25);
    if (have > 0 && need > have)
        return gt_fail(e, GT_EINPUT,
                       "network too large: depth %ld x width %ld x batch %ld needs %.3g GiB, "
                       "this machine has %.3g GiB; reduce --depth, --width or --batch",
                       r->c->depth, r->c->width, r->c->batch, need / 1073741824.0,
                       have / 1073741824.0);
    /* Under an address-space limit (ulimit -v) OpenBLAS retries its 128 MiB buffer
     * allocation forever, so reserve room for the net and those buffers (one per thread
     * and one for the caller) now: failing here gives a message instead of a hang. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        double blas = (double)(r->c->threads + 1) * BLAS_BUFFER_BYTES;
        void *p = need + blas < (double)SIZE_MAX
                      ? mmap(NULL, (size_t)(need + blas), PROT_NONE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                      : MAP_FAILED;
        if (p == MAP_FAILED)
            return gt_fail(e, GT_ESYS,
                           "out of memory: the network needs %.3g GiB and OpenBLAS %.3g GiB; the "
                           "address-space limit (ulimit -v) is %.3g GiB",
                           need / 1073741824.0, blas / 1073741824.0,
                           (double)lim.rlim_cur / 1073741824.0);
        munmap(p, (size_t)(need + blas));
    }
    return GT_OK;
}

/* The configuration a checkpoint records: "key=value" lines of every option but those
 * that do not change what the run computes (--out, --force, --checkpoint-every). */
static void add_text_line(void *ctx, const char *key, const char *val)
{
    if (strcmp(key, "out") == 0 || strcmp(key, "force") == 0 ||
        strcmp(key, "checkpoint-every") == 0)
        return;
    fprintf(ctx, "%s=%s\n", key, val);
}

static char *config_text(const Config *c)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    config_foreach(c, add_text_line, f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* --resume DIR of a finished run: nothing to do */
static int check_unfinished(const char *dir, GtErr *e)
{
    if (!summary_finished(dir)) return GT_OK;
    return gt_fail(e, GT_EINPUT, "--resume %s: the run there has finished (run.json); nothing "
                   "to resume", dir);
}

int run_checkpoint_config(Config *c, const char *dir, GtErr *e)
{
    char *text;
    CkptBuf b;
    int rc = check_unfinished(dir, e);
    if (!rc) rc = ckpt_read(dir, NULL, &text, &b, e);
    if (rc) return rc;
    ckpt_buf_free(&b);
    for (char *l = text, *nl; !rc && *l; l = nl + 1) {
        nl = strchr(l, '\n');
        char *eq = strchr(l, '=');
        if (!nl || !eq || eq > nl) {
            rc = gt_fail(e, GT_EINPUT, "%s/%s: damaged configuration", dir, CKPT_NAME);
            break;
        }
        *eq = *nl = 0;
        rc = config_set(c, l, eq + 1, e);
    }
    free(text);
    return rc ? rc : config_set(c, "out", dir, e);
}

/* The checkpoint's payload, in this order: the next step, the seconds run so far, the
 * traces' byte offsets, the shuffle stream, the epoch's sample order, the parameters (with
 * norm gamma and beta), batch norm's running statistics, the optimiser's step count and
 * state, the census's memory of dead units. Everything as raw bytes, so floats come back
 * bit for bit. */
static size_t optim_state_bytes(const Run *r)
{
    size_t copies = r->opt.kind == OPT_ADAM ? 2 : r->opt.kind == OPT_MOMENTUM ? 1 : 0;
    return copies * r->net.nparams * dtype_size(r->net.dtype);
}

static size_t census_units(const Run *r) { return (size_t)r->census.layers * r->census.width; }

/* Writes a checkpoint before step `step` (the weights after `step` updates). The traces are
 * flushed and fsynced first: the offsets it records are on disk before it is. */
static int checkpoint(Run *r, long step, GtErr *e)
{
    int64_t head[2 + NTRACES] = {step};
    double secs = gt_now() - r->t0 + r->t_before;
    int rc;
    for (int i = 0; i < NTRACES; i++) {
        CsvFile *f = trace_file(r, i);
        (void)csv_sync(f);
        if ((rc = csv_failed(f, e))) return rc;
        head[2 + i] = csv_offset(f);
    }
    memcpy(&head[1], &secs, sizeof secs);
    CkptBuf b = {0};
    int64_t t = r->opt.t;
    ckpt_put(&b, head, sizeof head);
    ckpt_put(&b, r->shuffle.s, sizeof r->shuffle.s);
    ckpt_put(&b, r->order, r->train.n * sizeof *r->order);
    ckpt_put(&b, r->net.params, r->net.nparams * dtype_size(r->net.dtype));
    ckpt_put(&b, r->net.running, r->net.nrunning * dtype_size(r->net.dtype));
    ckpt_put(&b, &t, sizeof t);
    ckpt_put(&b, r->opt.state, optim_state_bytes(r));
    ckpt_put(&b, r->census.ever_dead, census_units(r));
    rc = ckpt_write(r->c->out, r->config_text, &b, e);
    ckpt_buf_free(&b);
    if (!rc) r->checkpointed = 1;
    return rc;
}

/* Reads the checkpoint back into the run set up from the same configuration and reopens
 * the traces at its offsets. */
static int restore(Run *r, GtErr *e)
{
    const Config *c = r->c;
    char *text;
    CkptBuf b;
    int rc = ckpt_read(c->out, r->config_text, &text, &b, e);
    if (rc) return rc;
    free(text);
    int64_t head[2 + NTRACES], t;
    int bad = ckpt_get(&b, head, sizeof head) ||
              ckpt_get(&b, r->shuffle.s, sizeof r->shuffle.s) ||
              ckpt_get(&b, r->order, r->train.n * sizeof *r->order) ||
              ckpt_get(&b, r->net.params, r->net.nparams * dtype_size(r->net.dtype)) ||
              ckpt_get(&b, r->net.running, r->net.nrunning * dtype_size(r->net.dtype)) ||
              ckpt_get(&b, &t, sizeof t) ||
              ckpt_get(&b, r->opt.state, optim_state_bytes(r)) ||
              ckpt_get(&b, r->census.ever_dead, census_units(r)) || b.at != b.len ||
              head[0] < 1 || head[0] >= r->total_steps;
    ckpt_buf_free(&b);
    if (bad)
        return gt_fail(e, GT_EINPUT, "%s/%s: its state does not fit this run (sizes differ); "
                       "run again with --force", c->out, CKPT_NAME);
    r->first = (long)head[0];
    memcpy(&r->t_before, &head[1], sizeof r->t_before);
    r->opt.t = (long)t;
    r->checkpointed = 1;
    /* an interrupted run moved its weights into place: the earlier steps' are linked back
     * into the staging directory (a killed run's are still there) */
    char weights[4096], wtmp[4096];
    snprintf(weights, sizeof weights, "%s/weights", c->out);
    weights_tmp(r, wtmp, sizeof wtmp);
    if (access(wtmp, F_OK) != 0 && access(weights, F_OK) == 0 &&
        (rc = trace_link_tree(weights, wtmp, e)))
        return rc;
    for (int i = 0; i < NTRACES; i++)
        if (trace_wanted(c, i) &&
            (rc = csv_resume_live(trace_file(r, i), c->out, TRACES[i].name, head[2 + i],
                                  r->digits, e)))
            return rc;
    return GT_OK;
}

static int setup(Run *r, GtErr *e)
{
    const Config *c = r->c;
    DataSpec ds = {
        .data = c->data, .test_csv = c->test_csv[0] ? c->test_csv : NULL,
        .input_dim = (size_t)c->input_dim, .classes = (int)c->classes,
        .train_size = (size_t)c->train_size, .test_size = (size_t)c->test_size,
        .test_size_set = c->test_size_set, .normalize = c->normalize, .seed = (uint64_t)c->seed,
    };
    int rc = data_load(&ds, &r->train, &r->test, e);
    if (rc) return rc;
    r->t_loaded = gt_now();
    if ((size_t)c->batch > r->train.n)
        return gt_fail(e, GT_EINPUT, "--batch %ld: larger than the training set (%zu samples)",
                       c->batch, r->train.n);
    r->per_epoch = (long)(r->train.n / (size_t)c->batch);
    r->total_steps = c->steps ? c->steps : c->epochs ? c->epochs * r->per_epoch : 100;
    for (int i = 0; i < c->n_save_weights; i++)
        if (c->save_weights[i] > r->total_steps)
            return gt_fail(e, GT_EINPUT, "--save-weights %ld: the run has %ld steps (0..%ld)",
                           c->save_weights[i], r->total_steps, r->total_steps);

    NetSpec ns = {
        .dtype = (Dtype)c->dtype, .in_dim = r->train.dim, .width = (size_t)c->width,
        .out_dim = (size_t)r->train.classes, .batch = (size_t)c->batch, .depth = c->depth,
        .act = (ActKind)c->activation,
        .ap = {.alpha = c->alpha, .relu_grad_at_zero = c->relu_grad_at_zero},
        .resid_k = c->residual, .resid_scale = c->residual_scale,
        .norm = (NormKind)c->norm, .norm_eps = c->norm_eps,
    };
    if ((rc = check_memory(r, &ns, e)) || (rc = net_create(&r->net, &ns, e))) return rc;
    Rng init_rng;
    rng_seed(&init_rng, (uint64_t)c->seed, RNG_INIT);
    rc = net_init_params(&r->net, (InitKind)c->init, c->sigma_w2, c->sigma_b2, &init_rng, e);
    if (rc) return rc;
    if ((rc = optim_create(&r->opt, &r->net, (OptKind)c->optimizer, c->lr, c->momentum, e)))
        return rc;
    size_t probe = c->probe_size ? (size_t)c->probe_size
                                 : (r->train.n < 1000 ? r->train.n : 1000);
    if (probe > r->train.n)
        return gt_fail(e, GT_EINPUT, "--probe-size %ld: larger than the training set (%zu samples)",
                       c->probe_size, r->train.n);
    if ((rc = census_create(&r->census, &r->net, &r->train, probe, (uint64_t)c->seed, e)))
        return rc;
    if (c->jacobian_every) {
        if ((size_t)c->jacobian_samples > probe)
            return gt_fail(e, GT_EINPUT, "--jacobian-samples %ld: more than the census probe "
                           "set (%zu samples; raise --probe-size)", c->jacobian_samples, probe);
        if ((rc = jac_probe_create(&r->jac, &r->net, &r->train, r->census.idx,
                                   (size_t)c->jacobian_samples, e)))
            return rc;
    }
    if (c->histograms && (rc = hist_create(&r->hists, r->net.nlayers, e))) return rc;
    r->hists.m = (size_t)c->batch;
    r->st = calloc((size_t)r->net.nlayers, sizeof *r->st);
    r->scratch = malloc(PROBE_SCRATCH(&r->net) * sizeof *r->scratch);
    r->order = malloc(r->train.n * sizeof *r->order);
    r->ybuf = malloc((size_t)c->batch * sizeof *r->ybuf);
    if (!r->st || !r->scratch || !r->order || !r->ybuf)
        return gt_fail(e, GT_ESYS, "out of memory");
    for (size_t i = 0; i < r->train.n; i++) r->order[i] = (uint32_t)i;
    rng_seed(&r->shuffle, (uint64_t)c->seed, RNG_SHUFFLE);

    r->digits = c->dtype == DT_F32 ? 9 : 17;
    if (!(r->config_text = config_text(c))) return gt_fail(e, GT_ESYS, "out of memory");
    if ((rc = trace_mkdir(c->out, e))) return rc;
    if (r->o->resume) {
        if ((rc = check_unfinished(c->out, e))) return rc;
        trace_clean_tmp(c->out); /* a checkpoint being written when the run was killed */
        return restore(r, e);
    }
    if (!c->force && summary_finished(c->out))
        return gt_fail(e, GT_EINPUT,
                       "--out %s: holds a finished run (run.json); use --force to replace it, "
                       "or another --out", c->out);
    if (!c->force && ckpt_exists(c->out))
        return gt_fail(e, GT_EINPUT,
                       "--out %s: holds the checkpoint of an unfinished run; continue it with "
                       "gradtrace run --resume %s, or start over with --force", c->out, c->out);
    ckpt_remove(c->out); /* a stale or damaged one: it describes .partial files replaced now */
    trace_clean_tmp(c->out); /* left by a run that was killed */
    trace_clean_partial(c->out); /* a killed run's traces: this run starts over */
    for (int i = 0; i < NTRACES; i++)
        if (trace_wanted(c, i) &&
            (rc = csv_open_live(trace_file(r, i), c->out, TRACES[i].name, TRACES[i].header,
                                r->digits, e)))
            return rc;
    return GT_OK;
}

/* Loss and accuracy of the weights as they are over the whole test set. */
static void evaluate(Run *r, double *loss, double *acc)
{
    Net *n = &r->net;
    double total = 0;
    size_t right = 0;
    for (size_t first = 0; first < r->test.n; first += n->batch) {
        size_t m = r->test.n - first < n->batch ? r->test.n - first : n->batch, ok;
        net_load_input(n, &r->test, NULL, first, m);
        net_forward_eval(n, m);
        total += net_loss(n, (LossKind)r->c->loss, r->test.y + first, m, &ok, 0) * (double)m;
        right += ok;
    }
    *loss = total / (double)r->test.n;
    *acc = (double)right / (double)r->test.n;
}

static void write_layers(Run *r, long step)
{
    CsvFile *f = &r->layers;
    for (int l = 0; l < r->net.nlayers; l++) {
        const LayerStats *s = &r->st[l];
        XNorm rms = xnorm_scale(s->delta, 1.0 / sqrt((double)s->batch));
        csv_int(f, step);
        csv_int(f, l + 1);
        csv_int(f, (long long)s->fan_in);
        csv_int(f, (long long)s->fan_out);
        csv_real(f, s->weight_l2);
        csv_xnorm(f, s->grad_w);
        csv_real(f, xnorm_log10(s->grad_w));
        csv_xnorm(f, s->grad_b);
        csv_xnorm(f, rms);
        csv_real(f, xnorm_log10(rms));
        csv_real(f, s->act_mean);
        csv_real(f, s->act_std);
        csv_real(f, s->frac_zero);
        csv_real(f, s->frac_dead_batch);
        csv_real(f, s->frac_saturated);
        csv_real(f, s->frac_preact_zero);
        csv_real(f, s->sign_coherence);
        csv_real(f, s->update_ratio);
        csv_real(f, s->frac_update_zero);
        csv_real(f, s->frac_nonpositive_batch);
        if (s->has_norm) {
            csv_xnorm(f, s->grad_gamma);
            csv_xnorm(f, s->grad_beta);
        } else {
            csv_empty(f);
            csv_empty(f);
        }
        if (isnan(s->resid_ratio)) csv_empty(f);
        else csv_real(f, s->resid_ratio);
        csv_end_row(f);
    }
}

static int save_weights(Run *r, long step, GtErr *e)
{
    int wanted = 0;
    for (int i = 0; i < r->c->n_save_weights; i++) wanted |= r->c->save_weights[i] == step;
    if (!wanted) return GT_OK;
    char dir[4096], name[32];
    weights_tmp(r, dir, sizeof dir);
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/step-%ld", step);
    int rc = trace_mkdir(dir, e), elem = (int)dtype_size(r->net.dtype);
    for (int l = 0; !rc && l < r->net.nlayers; l++) {
        const Layer *L = &r->net.layers[l];
        snprintf(name, sizeof name, "W%d.npy", l + 1);
        rc = npy_write(dir, name, L->W, elem, L->fan_in, L->fan_out, e);
        snprintf(name, sizeof name, "b%d.npy", l + 1);
        if (!rc) rc = npy_write(dir, name, L->b, elem, 0, L->fan_out, e);
        const struct {
            const char *stem;
            const void *v;
        } extra[] = {{"gamma", L->gamma}, {"beta", L->beta}, {"running_mean", L->run_mean},
                     {"running_var", L->run_var}};
        for (size_t k = 0; !rc && k < sizeof extra / sizeof *extra; k++) {
            if (!extra[k].v) continue;
            snprintf(name, sizeof name, "%s%d.npy", extra[k].stem, l + 1);
            rc = npy_write(dir, name, extra[k].v, elem, 0, L->fan_out, e);
        }
    }
    return rc;
}

typedef struct {
    long steps_done, diverged_at;
    int interrupted; /* the signal that stopped the run, or 0 */
    double loss, train_acc, test_loss, test_acc;
    int have_test;
} Summary;

/* What a step does with each layer as backward finishes it (NetLayerDone): probes on a
 * logged step, then the update, while the layer's buffers are still in cache. */
typedef struct {
    Run *r;
    size_t m;
    int logged;
} StepCtx;

static void layer_done(void *ctx, Net *n, int l)
{
    const StepCtx *sc = ctx;
    if (sc->logged) probe_layer_done(n, l, sc->m, sc->r->st, sc->r->scratch);
    optim_layer(&sc->r->opt, n, l, sc->logged ? &sc->r->st[l] : NULL);
}

/* steps.csv's row of step s; grad NULL and clipped < 0: not measured (the step that
 * diverged, whose gradients are not finite and which makes no update) */
static void write_step(Run *r, long s, long epoch, double loss, const Summary *sum, int evals,
                       const XNorm *grad, int clipped)
{
    CsvFile *f = &r->steps;
    csv_int(f, s);
    csv_int(f, epoch);
    csv_real(f, loss);
    csv_real(f, sum->train_acc);
    if (evals) {
        csv_real(f, sum->test_loss);
        csv_real(f, sum->test_acc);
    } else {
        csv_empty(f);
        csv_empty(f);
    }
    csv_real(f, r->c->lr);
    if (grad) csv_xnorm(f, *grad);
    else csv_empty(f);
    csv_real(f, gt_now() - r->t0 + r->t_before);
    if (clipped >= 0) csv_int(f, clipped);
    else csv_empty(f);
    csv_end_row(f);
    for (int i = 0; i < NTRACES; i++) csv_flush(trace_file(r, i)); /* tail -f */
}

/* The training loop. Returns GT_OK also when the run diverged (sum->diverged_at >= 0). */
static int train(Run *r, volatile sig_atomic_t *stop, Summary *sum, GtErr *e)
{
    const Config *c = r->c;
    Net *n = &r->net;
    size_t B = (size_t)c->batch;
    long ck = c->checkpoint_every;
    sum->diverged_at = -1;
    sum->steps_done = r->first;
    int rc;
    for (long s = r->first; s < r->total_steps; s++) {
        /* a step boundary: what is written so far is consistent */
        if (ck && s > r->first && (s % ck == 0 || *stop) && (rc = checkpoint(r, s, e)))
            return rc;
        if (*stop) {
            sum->interrupted = (int)*stop;
            return GT_OK;
        }
        long epoch = s / r->per_epoch, pos = s % r->per_epoch;
        if (pos == 0) rng_shuffle(&r->shuffle, r->order, r->train.n);
        int last = s + 1 == r->total_steps;
        int evals = r->test.n && c->eval_every && s % c->eval_every == 0;
        int logged = s % c->every == 0 || last || evals;
        if ((rc = save_weights(r, s, e))) return rc;
        if (s % (c->census_every ? c->census_every : r->total_steps) == 0)
            census_run(&r->census, n, s, &r->census_csv);
        if (c->jacobian_every && s % c->jacobian_every == 0)
            jac_probe_run(&r->jac, n, s, &r->jac_csv, &r->jac_sum_csv);
        if (evals) evaluate(r, &sum->test_loss, &sum->test_acc);

        const uint32_t *idx = r->order + (size_t)pos * B;
        for (size_t i = 0; i < B; i++) r->ybuf[i] = r->train.y[idx[i]];
        net_load_input(n, &r->train, idx, 0, B);
        net_forward(n, B);
        size_t ok;
        double loss = net_loss(n, (LossKind)c->loss, r->ybuf, B, &ok, 1);
        int bad = !isfinite(loss);
        /* Histograms read every layer's gradients before any update: that step goes the
         * long way (backward binning each layer's delta, then probes, histograms and the
         * update over all layers).
         * The fused way gives the same bits. When backward meets Inf/NaN the run stops
         * here, and weights updated by then are never used or saved. */
        int fused = !(logged && c->histograms) && !c->clip_grad_norm;
        int clipped = 0;
        if (!bad) {
            StepCtx sc = {r, B, logged};
            if (fused) {
                optim_begin(&r->opt);
                net_backward(n, B, logged, layer_done, &sc);
            } else {
                net_backward(n, B, logged, logged && c->histograms ? hist_delta_done : NULL,
                             &r->hists);
            }
            bad = n->nonfinite;
        }
        sum->loss = loss;
        sum->train_acc = (double)ok / (double)B;
        if (bad) { /* divergence is a result: keep the trace so far, say where it stopped */
            sum->diverged_at = s;
            write_step(r, s, epoch, loss, sum, evals, NULL, -1); /* its loss; no update */
            return GT_OK;
        }
        if (!fused) { /* probes and histograms see the gradients before clipping */
            if (logged) probe_layers(n, B, r->st, r->scratch);
            if (logged && c->histograms) hist_write(&r->hists, n, s, &r->hist);
            if (c->clip_grad_norm) clipped = optim_clip(n, c->clip_grad_norm, NULL);
            optim_step(&r->opt, n, logged ? r->st : NULL);
        }
        sum->steps_done = s + 1;
        progress_step(&r->prog, s, epoch, loss, evals ? sum->test_acc : NAN, logged);
        if (!logged) continue;
        /* a full disk shows here, not hours later at the end */
        for (int i = 0; i < NTRACES; i++)
            if ((rc = csv_failed(trace_file(r, i), e))) return rc;
        write_layers(r, s);
        XNorm g = probe_grad_l2(r->st, n->nlayers);
        write_step(r, s, epoch, loss, sum, evals, &g, clipped);
    }
    /* the trained weights: final census, weights and test evaluation */
    census_run(&r->census, n, r->total_steps, &r->census_csv);
    if (c->jacobian_every)
        jac_probe_run(&r->jac, n, r->total_steps, &r->jac_csv, &r->jac_sum_csv);
    if ((rc = save_weights(r, r->total_steps, e))) return rc;
    if (r->test.n) {
        evaluate(r, &sum->test_loss, &sum->test_acc);
        sum->have_test = 1;
    }
    return GT_OK;
}

/* run.json's config: numbers as numbers, flags as booleans, the rest as strings. */
static void add_config(void *ctx, const char *key, const char *val)
{
    cJSON *obj = ctx;
    char *end;
    double v = strtod(val, &end);
    if (config_is_flag(key) == 1) cJSON_AddBoolToObject(obj, key, strcmp(val, "true") == 0);
    else if (config_is_number(key) && *val && !*end) cJSON_AddNumberToObject(obj, key, v);
    else cJSON_AddStringToObject(obj, key, val);
}

static int stage_run_json(Run *r, const char *status, const Summary *sum, GtErr *e)
{
    const Config *c = r->c;
    cJSON *doc = cJSON_CreateObject(), *cfg = cJSON_AddObjectToObject(doc, "config");
    cJSON_AddStringToObject(doc, "gradtrace_version", GT_VERSION);
    cJSON_AddStringToObject(doc, "status", status);
    config_foreach(c, add_config, cfg);
    cJSON *res = cJSON_AddObjectToObject(doc, "resolved");
    cJSON_AddNumberToObject(res, "input_dim", (double)r->train.dim);
    cJSON_AddNumberToObject(res, "classes", r->train.classes);
    cJSON_AddNumberToObject(res, "train_size", (double)r->train.n);
    cJSON_AddNumberToObject(res, "test_size", (double)r->test.n);
    cJSON_AddNumberToObject(res, "steps", (double)r->total_steps);
    cJSON_AddNumberToObject(res, "steps_per_epoch", (double)r->per_epoch);
    cJSON_AddNumberToObject(res, "parameters", (double)r->net.nparams);
    cJSON_AddNumberToObject(res, "probe_size", (double)r->census.size);
    cJSON_AddStringToObject(doc, "dtype", config_dtype_name(c->dtype));
    cJSON_AddNumberToObject(doc, "seed", (double)c->seed);
    cJSON *blas = cJSON_AddObjectToObject(doc, "blas");
    cJSON_AddStringToObject(blas, "core", openblas_get_corename());
    cJSON_AddStringToObject(blas, "config", openblas_get_config());
    cJSON_AddNumberToObject(blas, "threads", (double)c->threads);
    double t = gt_now();
    cJSON *tm = cJSON_AddObjectToObject(doc, "timings");
    cJSON_AddNumberToObject(tm, "total_seconds", t - r->t0 + r->t_before);
    if (r->t_loaded > 0) {
        cJSON_AddNumberToObject(tm, "load_seconds", r->t_loaded - r->t0);
        cJSON_AddNumberToObject(tm, "train_seconds", t - r->t_loaded);
    }
    if (sum) {
        cJSON *s = cJSON_AddObjectToObject(doc, "summary");
        cJSON_AddNumberToObject(s, "steps_done", (double)sum->steps_done);
        if (sum->diverged_at >= 0) cJSON_AddNumberToObject(s, "diverged_at_step", (double)sum->diverged_at);
        if (isfinite(sum->loss)) cJSON_AddNumberToObject(s, "last_loss", sum->loss);
        else cJSON_AddNullToObject(s, "last_loss");
        cJSON_AddNumberToObject(s, "last_train_acc", sum->train_acc);
        if (sum->have_test) {
            cJSON_AddNumberToObject(s, "final_test_loss", sum->test_loss);
            cJSON_AddNumberToObject(s, "final_test_acc", sum->test_acc);
        }
    }
    int rc = json_stage(&r->json, c->out, "run.json", doc, e);
    cJSON_Delete(doc);
    return rc;
}

/* Makes the run's files final together: all are flushed and checked first, run.json too
 * (under its temporary name), so a full disk leaves an older run in --out as it was; then
 * the older run.json goes (its run is being replaced), the traces are renamed into place
 * and the new run.json last. */
static int commit(Run *r, const char *status, const Summary *sum, GtErr *e)
{
    int rc = GT_OK;
    for (int i = 0; i < NTRACES && !rc; i++)
        if (trace_file(r, i)->f) rc = csv_finish(trace_file(r, i), e);
    if (!rc) rc = stage_run_json(r, status, sum, e);
    if (rc) return rc;
    char old[4096];
    snprintf(old, sizeof old, "%s/run.json", r->c->out);
    unlink(old);
    for (int i = 0; i < NTRACES && !rc; i++)
        if (trace_file(r, i)->tmp) rc = csv_commit(trace_file(r, i), e);
    /* the replaced run's weights go; this run's, if it saved any, take their place */
    char weights[4096], wtmp[4096];
    snprintf(weights, sizeof weights, "%s/weights", r->c->out);
    weights_tmp(r, wtmp, sizeof wtmp);
    if (!rc && trace_rmtree(weights) != 0)
        rc = gt_fail(e, GT_EINPUT, "%s: cannot remove the replaced run's weights: %s", weights,
                     strerror(errno));
    if (!rc && access(wtmp, F_OK) == 0 && rename(wtmp, weights) != 0)
        rc = gt_fail(e, GT_EINPUT, "%s: cannot move the weights into place: %s", weights,
                     strerror(errno));
    if (!rc) rc = csv_commit(&r->json, e);
    /* a finished run needs its checkpoint no more; an interrupted one keeps it (--resume) */
    if (!rc && strcmp(status, "interrupted") != 0) ckpt_remove(r->c->out);
    return rc;
}

int run_train(const Config *c, const RunOpts *o, volatile sig_atomic_t *stop, RunResult *res,
              GtErr *e)
{
    Run r = {.c = c, .o = o};
    Summary sum = {.diverged_at = -1, .loss = NAN};
    r.t0 = gt_now();
    openblas_set_num_threads((int)c->threads);
    int rc = setup(&r, e);
    if (!rc && o->resume && o->progress != PROGRESS_OFF)
        fprintf(stderr, "gradtrace run: resuming at step %ld of %ld from %s/%s\n", r.first,
                r.total_steps, c->out, CKPT_NAME);
    if (!rc) {
        progress_start(&r.prog, o->progress, stderr, r.total_steps, r.first);
        rc = train(&r, stop, &sum, e);
        progress_end(&r.prog);
    }
    const char *status = sum.interrupted ? "interrupted"
                         : sum.diverged_at >= 0 ? "diverged" : "complete";
    if (!rc) rc = commit(&r, status, &sum, e);
    /* on failure run_free removes the temporary files: nothing is left looking complete */
    if (!rc && res) {
        res->status = status;
        res->steps_done = sum.steps_done;
        res->final_loss = sum.loss;
        res->final_test_acc = sum.have_test ? sum.test_acc : NAN;
    }
    run_free(&r);
    return rc ? rc : sum.interrupted ? 128 + sum.interrupted : GT_OK;
}
