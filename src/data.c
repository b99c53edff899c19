/* data_load: picks the source named by --data, generates the synthetic sets (gaussian
 * teacher, spirals), then applies the test split, the --train-size/--test-size subsets and
 * the optional standardisation the same way for every source. File parsing lives in
 * data_csv.c and data_idx.c, the Dataset type and its allocation in dataset.c. */
#include "data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_csv.h"
#include "data_idx.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define SYN_TRAIN 4096
#define SYN_TEST 1024
#define TEACHER_HIDDEN 64
#define TEACHER_CALIB 4096

/* Keeps the first n samples (n <= d->n). Shrinking realloc cannot lose data, so a
 * failure to shrink is simply ignored. */
static void ds_truncate(Dataset *d, size_t n)
{
    if (n == 0) {
        int k = d->classes;
        dataset_free(d);
        d->classes = k;
        return;
    }
    d->n = n;
    double *x = realloc(d->x, n * d->dim * sizeof *x);
    if (x)
        d->x = x;
    int32_t *y = realloc(d->y, n * sizeof *y);
    if (y)
        d->y = y;
}

/* ---- synthetic sets ----------------------------------------------------------------- */

typedef struct {
    size_t dim;
    int classes;
    double *w1;   /* (dim, TEACHER_HIDDEN) */
    double *w2;   /* (TEACHER_HIDDEN, classes) */
    double *mu;   /* (classes) logit means over a calibration sample */
    double *sd;   /* (classes) logit standard deviations */
    double *h;    /* (TEACHER_HIDDEN) scratch */
    double *z;    /* (classes) scratch */
} Teacher;

static void teacher_logits(Teacher *t, const double *x)
{
    for (int j = 0; j < TEACHER_HIDDEN; j++)
        t->h[j] = 0;
    for (size_t i = 0; i < t->dim; i++)
        for (int j = 0; j < TEACHER_HIDDEN; j++)
            t->h[j] += x[i] * t->w1[i * TEACHER_HIDDEN + j];
    for (int j = 0; j < TEACHER_HIDDEN; j++)
        t->h[j] = tanh(t->h[j]);
    for (int k = 0; k < t->classes; k++)
        t->z[k] = 0;
    for (int j = 0; j < TEACHER_HIDDEN; j++)
        for (int k = 0; k < t->classes; k++)
            t->z[k] += t->h[j] * t->w2[j * t->classes + k];
}

/* Standardised logits decide the label. A raw argmax favours the outputs whose weight
 * column happens to be large, and small ones may never win (a degenerate label set);
 * scaling each logit by its spread over a fixed calibration sample makes every class
 * reachable without looking at the data set itself, so the teacher depends only on the
 * seed, input_dim and classes, not on the set sizes. */
static int32_t teacher_label(Teacher *t, const double *x)
{
    teacher_logits(t, x);
    int best = 0;
    double bv = -INFINITY;
    for (int k = 0; k < t->classes; k++) {
        double v = (t->z[k] - t->mu[k]) / t->sd[k];
        if (v > bv) {
            bv = v;
            best = k;
        }
    }
    return best;
}

static void teacher_free(Teacher *t)
{
    free(t->w1);
    free(t->w2);
    free(t->mu);
    free(t->sd);
    free(t->h);
    free(t->z);
}

static int teacher_make(Teacher *t, size_t dim, int classes, uint64_t seed, GtErr *e)
{
    memset(t, 0, sizeof *t);
    t->dim = dim;
    t->classes = classes;
    size_t K = (size_t)classes;
    if (dim > SIZE_MAX / sizeof(double) / TEACHER_HIDDEN)
        return gt_fail(e, GT_ESYS, "out of memory generating the gaussian teacher");
    t->w1 = malloc(dim * TEACHER_HIDDEN * sizeof *t->w1);
    t->w2 = malloc(TEACHER_HIDDEN * K * sizeof *t->w2);
    t->mu = calloc(K, sizeof *t->mu);
    t->sd = calloc(K, sizeof *t->sd);
    t->h = malloc(TEACHER_HIDDEN * sizeof *t->h);
    t->z = malloc(K * sizeof *t->z);
    double *x = malloc(dim * sizeof *x);
    if (!t->w1 || !t->w2 || !t->mu || !t->sd || !t->h || !t->z || !x) {
        free(x);
        teacher_free(t);
        return gt_fail(e, GT_ESYS, "out of memory generating the gaussian teacher");
    }
    Rng r;
    rng_seed(&r, seed, RNG_TEACHER);
    double s1 = sqrt(1.0 / (double)dim), s2 = sqrt(1.0 / TEACHER_HIDDEN);
    for (size_t i = 0; i < dim * TEACHER_HIDDEN; i++)
        t->w1[i] = s1 * rng_normal(&r);
    for (size_t i = 0; i < TEACHER_HIDDEN * K; i++)
        t->w2[i] = s2 * rng_normal(&r);

    /* Calibration inputs come from the teacher's own stream, after its weights. */
    for (size_t k = 0; k < K; k++)
        t->sd[k] = 0;
    for (int s = 0; s < TEACHER_CALIB; s++) {
        for (size_t i = 0; i < dim; i++)
            x[i] = rng_normal(&r);
        teacher_logits(t, x);
        for (size_t k = 0; k < K; k++) {
            t->mu[k] += t->z[k];
            t->sd[k] += t->z[k] * t->z[k];
        }
    }
    for (size_t k = 0; k < K; k++) {
        t->mu[k] /= TEACHER_CALIB;
        double var = t->sd[k] / TEACHER_CALIB - t->mu[k] * t->mu[k];
        t->sd[k] = var > 0 ? sqrt(var) : 1.0;
    }
    free(x);
    return GT_OK;
}

static int gen_gaussian(const DataSpec *s, size_t ntr, size_t nte, Dataset *tr, Dataset *te,
                        GtErr *e)
{
    size_t dim = s->input_dim ? s->input_dim : 32;
    int K = s->classes ? s->classes : 10;
    if (K < 2)
        return gt_fail(e, GT_EINPUT, "--classes %d: gaussian data need at least 2 classes", K);
    Teacher t;
    int rc = teacher_make(&t, dim, K, s->seed, e);
    if (rc)
        return rc;
    Rng r;
    rng_seed(&r, s->seed, RNG_DATA);
    Dataset *sets[2] = {tr, te};
    size_t ns[2] = {ntr, nte};
    for (int k = 0; k < 2 && !rc; k++) {
        if (ns[k] == 0)
            continue;
        rc = ds_alloc(sets[k], ns[k], dim, "gaussian data", e);
        if (rc)
            break;
        Dataset *d = sets[k];
        d->classes = K;
        for (size_t i = 0; i < d->n; i++) {
            double *x = d->x + i * dim;
            for (size_t j = 0; j < dim; j++)
                x[j] = rng_normal(&r);
            d->y[i] = teacher_label(&t, x);
        }
    }
    teacher_free(&t);
    return rc;
}

static int gen_spirals(const DataSpec *s, size_t ntr, size_t nte, Dataset *tr, Dataset *te,
                       GtErr *e)
{
    if (s->input_dim != 0 && s->input_dim != 2)
        return gt_fail(e, GT_EINPUT,
                       "--input-dim %zu: spirals are 2-D (use 2 or leave --input-dim unset)",
                       s->input_dim);
    int K = s->classes ? s->classes : 3;
    if (K < 2)
        return gt_fail(e, GT_EINPUT, "--classes %d: spirals need at least 2 arms", K);
    Rng r;
    rng_seed(&r, s->seed, RNG_DATA);
    Dataset *sets[2] = {tr, te};
    size_t ns[2] = {ntr, nte};
    for (int k = 0; k < 2; k++) {
        if (ns[k] == 0)
            continue;
        int rc = ds_alloc(sets[k], ns[k], 2, "spirals data", e);
        if (rc)
            return rc;
        Dataset *d = sets[k];
        d->classes = K;
        for (size_t i = 0; i < d->n; i++) {
            /* Arms in turn keep the classes balanced in any prefix (--train-size). */
            int arm = (int)(i % (size_t)K);
            double rad = rng_uniform(&r);
            double ang = arm * 2.0 * M_PI / K + rad * 4.0 + 0.2 * rng_normal(&r);
            d->x[2 * i] = rad * cos(ang);
            d->x[2 * i + 1] = rad * sin(ang);
            d->y[i] = arm;
        }
    }
    return GT_OK;
}

/* ---- sizes, split, normalisation ---------------------------------------------------- */

/* Moves the last n samples of d into t (t gets d's classes). */
static int split_tail(Dataset *d, size_t n, Dataset *t, const char *name, GtErr *e)
{
    int rc = ds_alloc(t, n, d->dim, name, e);
    if (rc)
        return rc;
    size_t keep = d->n - n;
    memcpy(t->x, d->x + keep * d->dim, n * d->dim * sizeof *t->x);
    memcpy(t->y, d->y + keep, n * sizeof *t->y);
    t->classes = d->classes;
    ds_truncate(d, keep);
    return GT_OK;
}

static void normalize(Dataset *tr, Dataset *te)
{
    for (size_t j = 0; j < tr->dim; j++) {
        /* Features near DBL_MAX are finite and accepted, but their sums and squares are
         * not: such a column is standardised in units of its largest magnitude (any other
         * column keeps the plain arithmetic, bit for bit). */
        double big = 0;
        for (size_t i = 0; i < tr->n; i++)
            big = fmax(big, fabs(tr->x[i * tr->dim + j]));
        double unit = big > 1e100 ? big : 1.0;
        double mean = 0, ss = 0;
        for (size_t i = 0; i < tr->n; i++)
            mean += tr->x[i * tr->dim + j] / unit;
        mean /= (double)tr->n;
        for (size_t i = 0; i < tr->n; i++) {
            double c = tr->x[i * tr->dim + j] / unit - mean;
            ss += c * c;
        }
        double sd = sqrt(ss / (double)tr->n);
        /* A constant feature carries no information; centring it to 0 is enough and
         * dividing by its zero spread would make NaNs. */
        double inv = sd > 0 ? 1.0 / sd : 1.0;
        for (size_t i = 0; i < tr->n; i++)
            tr->x[i * tr->dim + j] = (tr->x[i * tr->dim + j] / unit - mean) * inv;
        for (size_t i = 0; i < te->n; i++)
            te->x[i * te->dim + j] = (te->x[i * te->dim + j] / unit - mean) * inv;
    }
}

/* ---- dispatch ----------------------------------------------------------------------- */

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Joins dir and file into buf; fails if it does not fit. */
static int join(char *buf, size_t n, const char *dir, const char *file, GtErr *e)
{
    int m = snprintf(buf, n, "%s/%s", dir, file);
    if (m < 0 || (size_t)m >= n)
        return gt_fail(e, GT_EINPUT, "--data fashion-mnist:%s: directory path too long", dir);
    return GT_OK;
}

static int load_fashion(const char *dir, int classes, Dataset *tr, Dataset *te,
                        char *name, char *tname, size_t name_n, GtErr *e)
{
    if (classes > 0 && classes != 10)
        return gt_fail(e, GT_EINPUT, "--classes %d: fashion-mnist has 10 classes", classes);
    char ti[4096], tl[4096], vi[4096], vl[4096];
    int rc = join(ti, sizeof ti, dir, "train-images-idx3-ubyte.gz", e);
    if (!rc)
        rc = join(tl, sizeof tl, dir, "train-labels-idx1-ubyte.gz", e);
    if (!rc)
        rc = join(vi, sizeof vi, dir, "t10k-images-idx3-ubyte.gz", e);
    if (!rc)
        rc = join(vl, sizeof vl, dir, "t10k-labels-idx1-ubyte.gz", e);
    if (!rc)
        rc = idx_load_pair(ti, tl, 10, tr, e);
    if (!rc)
        rc = idx_load_pair(vi, vl, 10, te, e);
    if (!rc && te->dim != tr->dim)
        rc = gt_fail(e, GT_EINPUT, "%s: %zu values per image, but %s has %zu", vi, te->dim,
                     ti, tr->dim);
    if (!rc)
        tr->classes = te->classes = 10;
    snprintf(name, name_n, "%s", ti);
    snprintf(tname, name_n, "%s", vi);
    return rc;
}

/* Files: split the test set off the end (when there is no test file), then take the
 * first N of each set, so a subset is reproducible and independent of the seed. name and
 * tname are the training and test files, for the messages. */
static int apply_sizes(const DataSpec *s, int has_test_file, const char *name,
                       const char *tname, Dataset *train, Dataset *test, GtErr *e)
{
    if (has_test_file) {
        if (s->test_size_set && s->test_size > test->n)
            return gt_fail(e, GT_EINPUT, "--test-size %zu: the test set (%s) has %zu samples",
                           s->test_size, tname, test->n);
        if (s->test_size_set)
            ds_truncate(test, s->test_size);
    } else if (s->test_size_set && s->test_size > 0) {
        if (s->test_size >= train->n)
            return gt_fail(e, GT_EINPUT, "--test-size %zu: %s has %zu samples, which leaves "
                           "none for training", s->test_size, name, train->n);
        int rc = split_tail(train, s->test_size, test, name, e);
        if (rc)
            return rc;
    }
    if (s->train_size > train->n)
        return gt_fail(e, GT_EINPUT, "--train-size %zu: %s has %zu training samples%s",
                       s->train_size, name, train->n,
                       !has_test_file && test->n ? " after the --test-size split" : "");
    if (s->train_size)
        ds_truncate(train, s->train_size);
    return GT_OK;
}

int data_load(const DataSpec *s, Dataset *train, Dataset *test, GtErr *e)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    const char *data = s->data ? s->data : "gaussian";
    /* The files the size messages name: the training file the user gave, and the test file. */
    char name[4200] = "", tname[4200] = "";
    int has_test_file = 0, rc = GT_OK;

    if (s->classes < 0)
        return gt_fail(e, GT_EINPUT, "--classes %d: must be positive (or 0 for the default)",
                       s->classes);
    if (s->test_csv && !starts(data, "csv:"))
        return gt_fail(e, GT_EINPUT, "--test-csv %s: only used with --data csv:PATH",
                       s->test_csv);

    if (strcmp(data, "gaussian") == 0 || strcmp(data, "spirals") == 0) {
        /* Generated at exactly the requested sizes; nothing to split or cut. */
        size_t ntr = s->train_size ? s->train_size : SYN_TRAIN;
        size_t nte = s->test_size_set ? s->test_size : SYN_TEST;
        rc = data[0] == 'g' ? gen_gaussian(s, ntr, nte, train, test, e)
                            : gen_spirals(s, ntr, nte, train, test, e);
    } else if (starts(data, "csv:")) {
        const char *path = data + 4;
        if (!*path)
            return gt_fail(e, GT_EINPUT, "--data csv:PATH: the path is empty");
        snprintf(name, sizeof name, "%s", path);
        rc = csv_load(path, 0, NULL, s->classes, train, e);
        if (!rc && s->test_csv) {
            has_test_file = 1;
            snprintf(tname, sizeof tname, "%s", s->test_csv);
            rc = csv_load(s->test_csv, train->dim + 1, path, s->classes, test, e);
            if (!rc && s->classes == 0) {
                /* One label space for both files: the net needs an output per class. */
                int k = train->classes > test->classes ? train->classes : test->classes;
                train->classes = test->classes = k;
            }
        }
        if (!rc && s->classes > 0)
            train->classes = s->classes;
        if (!rc)
            rc = apply_sizes(s, has_test_file, name, tname, train, test, e);
    } else if (strcmp(data, "fashion-mnist") == 0 || starts(data, "fashion-mnist:")) {
        const char *dir = data[13] == ':' ? data + 14 : FASHION_DIR;
        if (!*dir)
            return gt_fail(e, GT_EINPUT, "--data fashion-mnist:DIR: the directory is empty");
        rc = load_fashion(dir, s->classes, train, test, name, tname, sizeof name, e);
        if (!rc)
            rc = apply_sizes(s, 1, name, tname, train, test, e);
    } else if (starts(data, "idx:")) {
        /* The last comma separates the two paths, so a comma in the images path works. */
        const char *comma = strrchr(data + 4, ',');
        if (!comma || comma == data + 4 || !comma[1])
            return gt_fail(e, GT_EINPUT, "--data %s: expected idx:IMAGES,LABELS", data);
        size_t len = (size_t)(comma - (data + 4));
        if (len >= sizeof name)
            return gt_fail(e, GT_EINPUT, "--data %s: path too long", data);
        memcpy(name, data + 4, len);
        name[len] = '\0';
        rc = idx_load_pair(name, comma + 1, s->classes, train, e);
        if (!rc && s->classes > 0)
            train->classes = s->classes;
        if (!rc)
            rc = apply_sizes(s, 0, name, tname, train, test, e);
    } else {
        return gt_fail(e, GT_EINPUT,
                       "--data %s: unknown data set (valid: gaussian, spirals, "
                       "fashion-mnist[:DIR], csv:PATH, idx:IMAGES,LABELS)", data);
    }
    if (rc) {
        dataset_free(train);
        dataset_free(test);
        return rc;
    }

    /* An absent test set still describes the same problem, so callers may read its
     * dim and classes without checking n first. */
    if (test->n == 0)
        test->dim = train->dim;
    test->classes = train->classes;
    if (s->normalize)
        normalize(train, test);
    return GT_OK;
}
