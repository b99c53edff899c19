/* The option table of `gradtrace run`: names, defaults, help and validation in one place,
 * used alike by the command line and by experiment files (an option's name is its key). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "suggest.h"

typedef enum { O_LONG, O_REAL, O_ENUM, O_STR, O_FLAG, O_STEPS } OptType;

typedef struct {
    const char *name;
    OptType type;
    size_t off;
    const char *def;  /* default, parsed by the same setter as user values */
    const char *arg;  /* placeholder in --help */
    const char *help;
    double min, max;  /* O_LONG / O_REAL: inclusive bounds, unless min_open */
    int min_open;     /* O_REAL: the value must be > min */
    int (*lookup)(const char *name);
    const char *(*name_of)(int k);
    const char *(*valid)(void);
} Opt;

static const char *const LOSS_NAMES[] = {"xent", "mse"};
static const char *const OPT_NAMES[] = {"sgd", "momentum", "adam"};
static const char *const DTYPE_NAMES[] = {"float32", "float64"};
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int find_name(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

const char *config_loss_name(int k) { return k >= 0 && k < NELEM(LOSS_NAMES) ? LOSS_NAMES[k] : "?"; }
const char *config_optimizer_name(int k) { return k >= 0 && k < NELEM(OPT_NAMES) ? OPT_NAMES[k] : "?"; }
const char *config_dtype_name(int k) { return k >= 0 && k < NELEM(DTYPE_NAMES) ? DTYPE_NAMES[k] : "?"; }

static int loss_lookup(const char *s) { return find_name(LOSS_NAMES, NELEM(LOSS_NAMES), s); }
static int opt_lookup(const char *s) { return find_name(OPT_NAMES, NELEM(OPT_NAMES), s); }
static int dtype_lookup(const char *s) { return find_name(DTYPE_NAMES, NELEM(DTYPE_NAMES), s); }
static const char *loss_valid(void) { return "xent, mse"; }
static const char *opt_valid(void) { return "sgd, momentum, adam"; }
static const char *dtype_valid(void) { return "float32, float64"; }

static int act_lookup_kind(const char *s)
{
    const Act *a = act_lookup(s);
    return a ? (int)a->kind : -1;
}
static const char *act_name_of(int k) { return act_get((ActKind)k)->name; }
static const char *init_name_of(int k) { return init_name((InitKind)k); }

#define F(field) offsetof(Config, field)
#define BIG HUGE_VAL /* no upper bound beyond finiteness */
static const Opt OPTS[] = {
    {"depth", O_LONG, F(depth), "10", "L", "hidden layers", 1, 100000, 0, 0, 0, 0},
    {"width", O_LONG, F(width), "128", "W", "units per hidden layer", 1, 1000000, 0, 0, 0, 0},
    {"activation", O_ENUM, F(activation), "relu", "NAME", "hidden-layer activation",
     0, 0, 0, act_lookup_kind, act_name_of, act_valid_names},
    {"alpha", O_REAL, F(alpha), "0.01", "A", "leaky_relu slope for x < 0", 0, 1, 0, 0, 0, 0},
    {"relu-grad-at-zero", O_REAL, F(relu_grad_at_zero), "0", "V",
     "derivative used at x = 0 by relu and leaky_relu", 0, 1, 0, 0, 0, 0},
    {"init", O_ENUM, F(init), "he-normal", "NAME", "weight initialiser",
     0, 0, 0, init_lookup, init_name_of, init_valid_names},
    {"residual", O_LONG, F(residual), "0", "K",
     "residual blocks of K layers, h -> h + A*F(h) (0: plain; K divides depth - 1)", 0, 100000, 0, 0, 0, 0},
    {"residual-scale", O_REAL, F(residual_scale), "1", "A", "residual branch scale alpha", 0, BIG, 1, 0, 0, 0},
    {"norm", O_ENUM, F(norm), "none", "NAME",
     "normalization between each hidden layer's dense output z and its activation (batch: per unit over the batch; layer: per sample over the units)",
     0, 0, 0, norm_lookup, norm_name, norm_valid_names},
    {"norm-eps", O_REAL, F(norm_eps), "1e-5", "E", "--norm: u = gamma (z - mu) / sqrt(var + E) + beta",
     0, BIG, 1, 0, 0, 0},
    {"clip-grad-norm", O_REAL, F(clip_grad_norm), "0", "C",
     "clip the global gradient L2 norm to C before the update (0: off)", 0, BIG, 0, 0, 0, 0},
    {"sigma-w2", O_REAL, F(sigma_w2), "1", "S", "gaussian init: W ~ N(0, S/fan_in); orthogonal: W = sqrt(S) Q", 0, BIG, 1, 0, 0, 0},
    {"sigma-b2", O_REAL, F(sigma_b2), "0", "S", "biases ~ N(0, S)", 0, BIG, 0, 0, 0, 0},
    {"data", O_STR, F(data), "gaussian", "SPEC",
     "gaussian | spirals | csv:PATH | fashion-mnist[:DIR] | idx:IMAGES,LABELS", 0, 0, 0, 0, 0, 0},
    {"test-csv", O_STR, F(test_csv), "", "PATH", "held-out set for csv: data", 0, 0, 0, 0, 0, 0},
    {"normalize", O_FLAG, F(normalize), "0", NULL,
     "standardise features with training-set mean and std", 0, 0, 0, 0, 0, 0},
    {"input-dim", O_LONG, F(input_dim), "0", "D", "gaussian data: features (0: 32)", 0, 1000000, 0, 0, 0, 0},
    {"classes", O_LONG, F(classes), "0", "K",
     "classes (0: 10 gaussian, 3 spirals, from the labels for files)", 0, 100000, 0, 0, 0, 0},
    {"train-size", O_LONG, F(train_size), "0", "N",
     "training samples (0: 4096 synthetic, all of a file)", 0, 1000000000, 0, 0, 0, 0},
    {"test-size", O_LONG, F(test_size), "auto", "N",
     "test samples (auto: 1024 synthetic, the file's test set; csv/idx: N split off the end)",
     0, 1000000000, 0, 0, 0, 0},
    {"eval-every", O_LONG, F(eval_every), "0", "K",
     "test loss/accuracy every K steps (0: only after the last, in run.json)", 0, 1000000000, 0, 0, 0, 0},
    {"loss", O_ENUM, F(loss), "xent", "NAME", "loss: xent is softmax cross-entropy, mse is 1/2 ||z - onehot||^2",
     0, 0, 0, loss_lookup, config_loss_name, loss_valid},
    {"optimizer", O_ENUM, F(optimizer), "sgd", "NAME", "optimiser (adam: beta1 0.9, beta2 0.999, eps 1e-8)",
     0, 0, 0, opt_lookup, config_optimizer_name, opt_valid},
    {"lr", O_REAL, F(lr), "0.01", "R", "learning rate", 0, BIG, 1, 0, 0, 0},
    {"momentum", O_REAL, F(momentum), "0.9", "M", "momentum coefficient", 0, 1, 0, 0, 0, 0},
    {"batch", O_LONG, F(batch), "64", "B", "mini-batch size", 1, 1000000, 0, 0, 0, 0},
    {"steps", O_LONG, F(steps), "0", "N",
     "training steps (0: from --epochs, or 100 when neither is given)", 0, 1000000000, 0, 0, 0, 0},
    {"epochs", O_LONG, F(epochs), "0", "E", "passes over the training set", 0, 1000000, 0, 0, 0, 0},
    {"dtype", O_ENUM, F(dtype), "float32", "T", "floating-point type of the whole network",
     0, 0, 0, dtype_lookup, config_dtype_name, dtype_valid},
    {"seed", O_LONG, F(seed), "1", "S", "random seed (init, data, batches)", 0, 9007199254740991.0, 0, 0, 0, 0},
    {"threads", O_LONG, F(threads), "1", "N", "BLAS threads (1 is bit-reproducible)", 1, 256, 0, 0, 0, 0},
    {"every", O_LONG, F(every), "10", "K", "log layers.csv at steps 0, K, 2K, ... and the last", 1, 1000000000, 0, 0, 0, 0},
    {"census-every", O_LONG, F(census_every), "0", "K",
     "census.csv every K steps (0: only at step 0 and after the last)", 0, 1000000000, 0, 0, 0, 0},
    {"probe-size", O_LONG, F(probe_size), "0", "N",
     "census probe samples (0: 1000, or the training set if smaller)", 0, 1000000000, 0, 0, 0, 0},
    {"jacobian-every", O_LONG, F(jacobian_every), "0", "K",
     "jacobian.csv: singular values of dh_L/dh_1 at steps 0, K, 2K, ... and after the last "
     "update (0: off)", 0, 1000000000, 0, 0, 0, 0},
    {"jacobian-samples", O_LONG, F(jacobian_samples), "8", "N",
     "--jacobian-every: the first N census probe samples", 1, 1000000000, 0, 0, 0, 0},
    {"histograms", O_FLAG, F(histograms), "0", NULL, "write histograms.csv", 0, 0, 0, 0, 0, 0},
    {"save-weights", O_STEPS, F(save_weights), "", "S[,S...]",
     "save weights/step-S/W1.npy, b1.npy, ... at these steps", 0, 0, 0, 0, 0, 0},
    {"checkpoint-every", O_LONG, F(checkpoint_every), "0", "K",
     "write DIR/checkpoint.bin every K steps, for gradtrace run --resume DIR (0: off)",
     0, 1000000000, 0, 0, 0, 0},
    {"out", O_STR, F(out), "gradtrace-out", "DIR", "run directory", 0, 0, 0, 0, 0, 0},
    {"force", O_FLAG, F(force), "0", NULL, "replace a complete run already in --out", 0, 0, 0, 0, 0, 0},
};
#define NOPTS NELEM(OPTS)

static const Opt *find_opt(const char *key)
{
    for (int i = 0; i < NOPTS; i++)
        if (strcmp(OPTS[i].name, key) == 0) return &OPTS[i];
    return NULL;
}

const char *config_suggest_key(const char *typo, const char *prefix, char *buf, size_t n)
{
    Suggest s;
    suggest_begin(&s, typo);
    for (int i = 0; i < NOPTS; i++) suggest_offer(&s, OPTS[i].name);
    return suggest_end(&s, prefix, buf, n);
}

static int unknown_option(const char *key, GtErr *e)
{
    char hint[256];
    return gt_fail(e, GT_EINPUT, "--%.80s: unknown option%s (see gradtrace run --help)", key,
                   config_suggest_key(key, "--", hint, sizeof hint));
}

int config_is_flag(const char *key)
{
    const Opt *o = find_opt(key);
    return o ? o->type == O_FLAG : -1;
}

int config_is_number(const char *key)
{
    const Opt *o = find_opt(key);
    return o && (o->type == O_LONG || o->type == O_REAL);
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

static int bad_range(const Opt *o, const char *value, GtErr *e)
{
    char lo[32], hi[32];
    /* integer bounds in full: %.15g would print the largest seed as 9.00719925474099e+15 */
    snprintf(lo, sizeof lo, o->type == O_LONG ? "%.0f" : "%.15g", o->min);
    snprintf(hi, sizeof hi, o->type == O_LONG ? "%.0f" : "%.15g", o->max);
    if (o->type == O_REAL && o->max >= BIG)
        return gt_fail(e, GT_EINPUT, "--%s %s: expected a finite number %s %s", o->name, value,
                       o->min_open ? ">" : ">=", lo);
    return gt_fail(e, GT_EINPUT, "--%s %s: expected %s from %s to %s%s", o->name, value,
                   o->type == O_LONG ? "an integer" : "a number", lo, hi,
                   strcmp(o->name, "test-size") == 0 ? " (or auto)" : "");
}

static int set_steps(Config *c, const Opt *o, const char *value, GtErr *e)
{
    c->n_save_weights = 0;
    const char *p = value;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 0 || (*end && *end != ','))
            return gt_fail(e, GT_EINPUT, "--%s %s: expected step numbers like 0,100,1000",
                           o->name, value);
        if (c->n_save_weights == MAX_SAVE_STEPS)
            return gt_fail(e, GT_EINPUT, "--%s: at most %d steps", o->name, MAX_SAVE_STEPS);
        c->save_weights[c->n_save_weights++] = v;
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return gt_fail(e, GT_EINPUT, "--%s %s: trailing comma", o->name, value);
    }
    return GT_OK;
}

int config_set(Config *c, const char *key, const char *value, GtErr *e)
{
    const Opt *o = find_opt(key);
    if (!o) return unknown_option(key, e);
    void *field = (char *)c + o->off;
    switch (o->type) {
    case O_LONG: {
        /* test-size: 0 is a real value ("no test set"), so its default is spelled "auto" */
        int is_test_size = strcmp(key, "test-size") == 0;
        long v;
        if (is_test_size && strcmp(value, "auto") == 0) {
            c->test_size = 0;
            c->test_size_set = 0;
            return GT_OK;
        }
        if (parse_long(value, &v) || (double)v < o->min || (double)v > o->max)
            return bad_range(o, value, e);
        *(long *)field = v;
        if (is_test_size) c->test_size_set = 1;
        return GT_OK;
    }
    case O_REAL: {
        char *end;
        double v = strtod(value, &end);
        if (end == value || *end || !isfinite(v) || v < o->min || v > o->max ||
            (o->min_open && v <= o->min))
            return bad_range(o, value, e);
        *(double *)field = v;
        return GT_OK;
    }
    case O_ENUM: {
        int k = o->lookup(value);
        if (k < 0) {
            char hint[256];
            return gt_fail(e, GT_EINPUT, "--%s %s: expected one of %s%s", o->name, value,
                           o->valid(), suggest_among(value, o->valid(), hint, sizeof hint));
        }
        *(int *)field = k;
        return GT_OK;
    }
    case O_STR: {
        char *s = strdup(value);
        if (!s) return gt_fail(e, GT_ESYS, "out of memory");
        free(*(char **)field);
        *(char **)field = s;
        return GT_OK;
    }
    case O_FLAG:
        if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
            *(int *)field = 1;
        else if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0 || strcmp(value, "no") == 0)
            *(int *)field = 0;
        else
            return gt_fail(e, GT_EINPUT, "--%s %s: expected true or false", o->name, value);
        return GT_OK;
    case O_STEPS:
        return set_steps(c, o, value, e);
    }
    return gt_fail(e, GT_ESYS, "--%s: bad option table entry", key);
}

void config_init(Config *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < NOPTS; i++) {
        GtErr e;
        int rc = config_set(c, OPTS[i].name, OPTS[i].def, &e);
        (void)rc; /* defaults are valid by construction; test_config checks it */
    }
}

void config_free(Config *c)
{
    for (int i = 0; i < NOPTS; i++)
        if (OPTS[i].type == O_STR) {
            char **p = (char **)((char *)c + OPTS[i].off);
            free(*p);
            *p = NULL;
        }
}

int config_validate(const Config *c, GtErr *e)
{
    if (!c->out[0]) return gt_fail(e, GT_EINPUT, "--out: expected a directory name");
    if (c->steps > 0 && c->epochs > 0)
        return gt_fail(e, GT_EINPUT, "--steps %ld and --epochs %ld: give one of them",
                       c->steps, c->epochs);
    if (c->init == INIT_RAI && c->sigma_b2 > 0)
        return gt_fail(e, GT_EINPUT, "--sigma-b2 %g with --init rai: rai draws its own biases "
                       "(N(0, 0.6007^2/fan_in)); drop --sigma-b2", c->sigma_b2);
    if (c->residual > 0 && (c->depth - 1) % c->residual) {
        long lo = 1 + (c->depth - 1) / c->residual * c->residual, hi = lo + c->residual;
        return gt_fail(e, GT_EINPUT, "--residual %ld with --depth %ld: depth - 1 must be a "
                       "multiple of %ld (hidden layer 1 is outside the blocks); nearest valid "
                       "depths %ld and %ld", c->residual, c->depth, c->residual, lo, hi);
    }
    if (c->norm != NORM_NONE && c->jacobian_every)
        return gt_fail(e, GT_EINPUT, "--jacobian-every with --norm %s: the Jacobian probe "
                       "does not cover normalization layers; drop one of them", norm_name(c->norm));
    if (c->norm == NORM_BATCH && c->batch < 2)
        return gt_fail(e, GT_EINPUT, "--norm batch with --batch %ld: batch statistics need at "
                       "least 2 samples; use --batch 2 or more, or --norm layer", c->batch);
    if (c->test_csv[0] && strncmp(c->data, "csv:", 4) != 0)
        return gt_fail(e, GT_EINPUT, "--test-csv: only used with --data csv:PATH (data is %s)",
                       c->data);
    return GT_OK;
}

int config_parse_args(Config *c, int argc, char **argv, GtErr *e)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) return -1;
        if (strncmp(arg, "--", 2) != 0 || !arg[2])
            return gt_fail(e, GT_EINPUT, "%s: unexpected argument (options look like --depth 20)", arg);
        char key[64];
        const char *name = arg + 2, *eq = strchr(name, '='), *value;
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if (len >= sizeof key) return unknown_option(name, e);
        memcpy(key, name, len);
        key[len] = 0;
        int flag = config_is_flag(key);
        if (flag < 0) return unknown_option(key, e);
        if (eq)
            value = eq + 1;
        else if (flag)
            value = "1";
        else if (i + 1 < argc)
            value = argv[++i];
        else
            return gt_fail(e, GT_EINPUT, "--%s: missing value", key);
        int rc = config_set(c, key, value, e);
        if (rc) return rc;
    }
    return config_validate(c, e);
}

static void value_text(const Config *c, const Opt *o, char *buf, size_t n)
{
    const void *field = (const char *)c + o->off;
    switch (o->type) {
    case O_LONG:
        if (field == &c->test_size && !c->test_size_set) snprintf(buf, n, "auto");
        else snprintf(buf, n, "%ld", *(const long *)field);
        break;
    case O_REAL: snprintf(buf, n, "%.17g", *(const double *)field); break;
    case O_ENUM: snprintf(buf, n, "%s", o->name_of(*(const int *)field)); break;
    case O_STR: snprintf(buf, n, "%s", *(char *const *)field); break;
    case O_FLAG: snprintf(buf, n, "%s", *(const int *)field ? "true" : "false"); break;
    case O_STEPS: {
        size_t len = 0;
        buf[0] = 0;
        for (int i = 0; i < c->n_save_weights && len < n; i++)
            len += (size_t)snprintf(buf + len, n - len, "%s%ld", i ? "," : "", c->save_weights[i]);
        break;
    }
    }
}

void config_foreach(const Config *c, void (*fn)(void *ctx, const char *key, const char *val),
                    void *ctx)
{
    char buf[4096];
    for (int i = 0; i < NOPTS; i++) {
        value_text(c, &OPTS[i], buf, sizeof buf);
        fn(ctx, OPTS[i].name, buf);
    }
}

void config_print_help(FILE *f)
{
    fprintf(f, "usage: gradtrace run [--option VALUE ...]\n\n"
               "Trains a fully connected network and writes per-layer traces to --out.\n"
               "Every option is also a key of an experiment file ([run] section).\n\n");
    for (int i = 0; i < NOPTS; i++) {
        const Opt *o = &OPTS[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-26s %s", left, o->help);
        if (o->type == O_ENUM)
            fprintf(f, "\n  %-26s   one of: %s", "", o->valid());
        if (o->type != O_FLAG && o->def[0]) fprintf(f, " [%s]", o->def);
        fputc('\n', f);
    }
    fprintf(f, "\nExit status: 0 done (also when the run diverged: see run.json), "
               "2 bad option, data or output path, 1 other failure.\n");
}
