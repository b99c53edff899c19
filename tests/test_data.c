/* Tests for data_load: CSV and IDX round trips through real files in a temporary
 * directory, one test per kind of bad input (each must be GT_EINPUT naming the file),
 * synthetic-set determinism and class coverage, normalisation, and Fashion-MNIST if present. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "data.h"

/* ---- temporary files ------------------------------------------------------------------ */

static char tmpdir[64];
static char made[128][256]; /* every file a test wrote, removed by the group teardown */
static int nmade;

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gt_test_data.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < nmade; i++)
        unlink(made[i]);
    return rmdir(tmpdir);
}

/* Returns a static path for name inside tmpdir, remembering it for the teardown. */
static const char *tpath(const char *name)
{
    static char buf[8][256];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    int known = 0;
    for (int i = 0; i < nmade; i++)
        known |= strcmp(made[i], p) == 0;
    if (!known && nmade < 128)
        snprintf(made[nmade++], 256, "%s", p);
    return p;
}

static const char *write_bytes(const char *name, const void *b, size_t n)
{
    const char *p = tpath(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return p;
}

static const char *write_text(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

static const char *write_gz(const char *name, const void *b, size_t n)
{
    const char *p = tpath(name);
    gzFile f = gzopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, b, (unsigned)n), (int)n);
    assert_int_equal(gzclose(f), Z_OK);
    return p;
}

/* An IDX file in memory: magic 0 0 type rank, big-endian dims, then the body as given
 * (the caller writes the body already big-endian). */
static size_t make_idx(unsigned char *out, int type, int ndims, const uint32_t *dims,
                       const void *body, size_t body_n)
{
    size_t k = 0;
    out[k++] = 0;
    out[k++] = 0;
    out[k++] = (unsigned char)type;
    out[k++] = (unsigned char)ndims;
    for (int i = 0; i < ndims; i++) {
        out[k++] = (unsigned char)(dims[i] >> 24);
        out[k++] = (unsigned char)(dims[i] >> 16);
        out[k++] = (unsigned char)(dims[i] >> 8);
        out[k++] = (unsigned char)dims[i];
    }
    memcpy(out + k, body, body_n);
    return k + body_n;
}

/* ---- helpers ------------------------------------------------------------------------ */

static DataSpec spec(const char *data)
{
    DataSpec s;
    memset(&s, 0, sizeof s);
    s.data = data;
    s.seed = 1;
    return s;
}

static int load(const DataSpec *s, Dataset *tr, Dataset *te, GtErr *e)
{
    memset(e, 0, sizeof *e);
    return data_load(s, tr, te, e);
}

/* The load must fail with GT_EINPUT, one line that names `file` and contains `want`
 * (NULL: anything), and leave both sets empty. */
static void expect_input_error(const DataSpec *s, const char *file, const char *want)
{
    Dataset tr, te;
    GtErr e;
    memset(&tr, 0x5a, sizeof tr); /* data_load must not depend on zeroed outputs */
    memset(&te, 0x5a, sizeof te);
    int rc = load(s, &tr, &te, &e);
    if (rc != GT_EINPUT || !strstr(e.msg, file) || (want && !strstr(e.msg, want)))
        print_error("rc=%d msg='%s' (wanted '%s' and '%s')\n", rc, e.msg, file,
                    want ? want : "");
    assert_int_equal(rc, GT_EINPUT);
    assert_non_null(strstr(e.msg, file));
    if (want)
        assert_non_null(strstr(e.msg, want));
    assert_null(strchr(e.msg, '\n'));
    assert_int_equal(e.code, GT_EINPUT);
    assert_null(tr.x);
    assert_null(tr.y);
    assert_int_equal(tr.n, 0);
    assert_null(te.x);
    assert_int_equal(te.n, 0);
}

static char specbuf[8][600];
static int nspec;
static const char *fmt_spec(const char *fmt, const char *a, const char *b)
{
    char *p = specbuf[nspec++ % 8];
    snprintf(p, 600, fmt, a, b);
    return p;
}

static void assert_all_classes(const Dataset *d)
{
    int count[256] = {0};
    assert_true(d->classes <= 256);
    for (size_t i = 0; i < d->n; i++) {
        assert_in_range(d->y[i], 0, d->classes - 1);
        count[d->y[i]]++;
    }
    for (int k = 0; k < d->classes; k++)
        if (count[k] == 0)
            fail_msg("class %d never occurs in %zu samples", k, d->n);
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void test_csv_plain(void **state)
{
    (void)state;
    const char *p = write_text("plain.csv", "1,2,0\n3.5,-4,2\n5e-1,6,1\n");
    DataSpec s = spec(fmt_spec("csv:%s", p, NULL));
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 3);
    assert_int_equal(tr.dim, 2);
    assert_int_equal(tr.classes, 3); /* max label + 1 */
    const double x[] = {1, 2, 3.5, -4, 0.5, 6};
    const int32_t y[] = {0, 2, 1};
    for (int i = 0; i < 6; i++)
        assert_true(tr.x[i] == x[i]);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tr.y[i], y[i]);
    assert_int_equal(te.n, 0); /* no --test-csv, no --test-size: no test set */
    dataset_free(&tr);
    dataset_free(&te);
}

static void test_csv_header_crlf(void **state)
{
    (void)state;
    /* Header, CRLF endings, spaces around fields, no final newline. */
    const char *p = write_text("hdr.csv", "f1, f2 ,label\r\n 0.25,1e3 , 1\r\n-7,8,0");
    DataSpec s = spec(fmt_spec("csv:%s", p, NULL));
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 2);
    assert_int_equal(tr.dim, 2);
    assert_int_equal(tr.classes, 2);
    assert_true(tr.x[0] == 0.25 && tr.x[1] == 1000 && tr.x[2] == -7 && tr.x[3] == 8);
    assert_int_equal(tr.y[0], 1);
    assert_int_equal(tr.y[1], 0);
    dataset_free(&tr);
    dataset_free(&te);

    /* Trailing empty lines (CRLF too) are skipped. */
    p = write_text("trail.csv", "1,2,1\r\n3,4,0\r\n\r\n\n");
    s = spec(fmt_spec("csv:%s", p, NULL));
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 2);
    assert_true(tr.x[3] == 4);
    dataset_free(&tr);
}

static void test_csv_classes(void **state)
{
    (void)state;
    const char *p = write_text("cls.csv", "1,0\n2,2\n3,1\n");
    DataSpec s = spec(fmt_spec("csv:%s", p, NULL));
    s.classes = 7; /* more classes than the labels show */
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.classes, 7);
    assert_int_equal(tr.dim, 1);
    dataset_free(&tr);
    s.classes = 2; /* label 2 does not fit */
    expect_input_error(&s, "cls.csv:2", "out of range");
}

static void test_csv_test_file(void **state)
{
    (void)state;
    const char *p = write_text("tr.csv", "a,b,y\n1,2,0\n3,4,1\n");
    const char *q = write_text("te.csv", "9,8,3\n7,6,0\n5,4,1\n");
    DataSpec s = spec(fmt_spec("csv:%s", p, NULL));
    s.test_csv = q;
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 2);
    assert_int_equal(te.n, 3);
    assert_int_equal(te.dim, 2);
    assert_true(te.x[0] == 9 && te.x[5] == 4);
    assert_int_equal(te.y[0], 3);
    /* One label space for both: label 3 in the test file makes 4 classes. */
    assert_int_equal(tr.classes, 4);
    assert_int_equal(te.classes, 4);
    dataset_free(&tr);
    dataset_free(&te);

    /* --test-size takes the first N of the test file. */
    s.test_size_set = 1;
    s.test_size = 2;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(te.n, 2);
    assert_true(te.x[2] == 7);
    dataset_free(&tr);
    dataset_free(&te);
    s.test_size = 4;
    expect_input_error(&s, "te.csv", "--test-size 4");

    /* Column count must match the training file. */
    s.test_size_set = 0;
    s.test_csv = write_text("te3.csv", "1,2,3,0\n");
    expect_input_error(&s, "te3.csv:1", "expected 3");
}

static void test_csv_split_and_subsets(void **state)
{
    (void)state;
    char text[256] = "";
    for (int i = 0; i < 10; i++) /* row i: feature i, label i % 3 */
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,%d\n", i, i % 3);
    const char *p = write_text("ten.csv", text);
    DataSpec s = spec(fmt_spec("csv:%s", p, NULL));
    s.test_size_set = 1;
    s.test_size = 3;
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 7);
    assert_int_equal(te.n, 3);
    for (int i = 0; i < 7; i++)
        assert_true(tr.x[i] == i);
    for (int i = 0; i < 3; i++) { /* the LAST three rows */
        assert_true(te.x[i] == 7 + i);
        assert_int_equal(te.y[i], (7 + i) % 3);
    }
    assert_int_equal(te.classes, 3);
    dataset_free(&tr);
    dataset_free(&te);

    /* Subsets are the first N after the split. */
    s.train_size = 4;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 4);
    assert_true(tr.x[3] == 3);
    assert_int_equal(te.n, 3);
    dataset_free(&tr);
    dataset_free(&te);

    /* --test-size 0 given: no test set. */
    s.train_size = 0;
    s.test_size = 0;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 10);
    assert_int_equal(te.n, 0);
    assert_null(te.x);
    dataset_free(&tr);

    s.train_size = 8; /* 7 left after the split */
    s.test_size = 3;
    expect_input_error(&s, "ten.csv", "--train-size 8");
    s.train_size = 11;
    s.test_size_set = 0;
    s.test_size = 0;
    expect_input_error(&s, "ten.csv", "--train-size 11");
    s.train_size = 0;
    s.test_size_set = 1;
    s.test_size = 10; /* nothing left for training */
    expect_input_error(&s, "ten.csv", "--test-size 10");
}

static void test_csv_errors(void **state)
{
    (void)state;
    DataSpec s = spec(fmt_spec("csv:%s", tpath("missing.csv"), NULL));
    expect_input_error(&s, "missing.csv", "No such file");

    s.data = fmt_spec("csv:%s", write_text("ragged.csv", "1,2,0\n3,4,1\n5,1\n"), NULL);
    expect_input_error(&s, "ragged.csv:3", "2 fields, expected 3 like line 1");

    s.data = fmt_spec("csv:%s", write_text("nonnum.csv", "1,2,0\n3,abc,1\n"), NULL);
    expect_input_error(&s, "nonnum.csv:2", "field 2: 'abc' is not a number");

    s.data = fmt_spec("csv:%s", write_text("nan.csv", "x,y,l\n1,2,0\nnan,4,1\n"), NULL);
    expect_input_error(&s, "nan.csv:3", "field 1");

    s.data = fmt_spec("csv:%s", write_text("inf.csv", "1,-inf,0\n"), NULL);
    expect_input_error(&s, "inf.csv:1", "not a finite number");

    s.data = fmt_spec("csv:%s", write_text("huge.csv", "1,1e999,0\n"), NULL);
    expect_input_error(&s, "huge.csv:1", "not a finite number");

    s.data = fmt_spec("csv:%s", write_text("empty.csv", ""), NULL);
    expect_input_error(&s, "empty.csv", "empty data set");

    s.data = fmt_spec("csv:%s", write_text("blank.csv", "\n\r\n"), NULL);
    expect_input_error(&s, "blank.csv", "empty data set");

    s.data = fmt_spec("csv:%s", write_text("hdronly.csv", "a,b,label\n"), NULL);
    expect_input_error(&s, "hdronly.csv", "empty data set");

    s.data = fmt_spec("csv:%s", write_text("neg.csv", "1,2,0\n1,2,-1\n"), NULL);
    expect_input_error(&s, "neg.csv:2", "not a non-negative integer");

    s.data = fmt_spec("csv:%s", write_text("frac.csv", "1,2,0.5\n"), NULL);
    expect_input_error(&s, "frac.csv:1", "not a non-negative integer");

    s.data = fmt_spec("csv:%s", write_text("midblank.csv", "1,2,0\n\n1,2,1\n"), NULL);
    expect_input_error(&s, "midblank.csv:2", "empty line");

    s.data = fmt_spec("csv:%s", write_text("onecol.csv", "1\n2\n"), NULL);
    expect_input_error(&s, "onecol.csv:1", "at least 2");

    s.data = fmt_spec("csv:%s", write_text("emptyfield.csv", "1,2,0\n1,,0\n"), NULL);
    expect_input_error(&s, "emptyfield.csv:2", "field 2 is empty");

    s.data = fmt_spec("csv:%s", write_text("biglabel.csv", "1,1000000\n"), NULL);
    expect_input_error(&s, "biglabel.csv:1", "too large");
}

/* ---- IDX ------------------------------------------------------------------------------ */

/* 5 images of 2x3 ubyte pixels, labels 0..3. */
static unsigned char px[30];
static const unsigned char lab5[5] = {3, 0, 1, 2, 1};

static void write_ubyte_pair(const char *img, const char *lbl, int gz)
{
    unsigned char buf[256];
    for (int i = 0; i < 30; i++)
        px[i] = (unsigned char)(i * 255 / 29);
    const uint32_t di[3] = {5, 2, 3}, dl[1] = {5};
    size_t n = make_idx(buf, 0x08, 3, di, px, 30);
    (gz ? write_gz : write_bytes)(img, buf, n);
    n = make_idx(buf, 0x08, 1, dl, lab5, 5);
    (gz ? write_gz : write_bytes)(lbl, buf, n);
}

static void check_ubyte_pair(const Dataset *d)
{
    assert_int_equal(d->n, 5);
    assert_int_equal(d->dim, 6);
    assert_int_equal(d->classes, 4);
    for (int i = 0; i < 30; i++)
        assert_true(d->x[i] == px[i] / 255.0);
    assert_true(d->x[0] == 0.0 && d->x[29] == 1.0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(d->y[i], lab5[i]);
}

static void test_idx_ubyte(void **state)
{
    (void)state;
    for (int gz = 0; gz < 2; gz++) {
        const char *img = gz ? "u-img.gz" : "u-img.idx", *lbl = gz ? "u-lbl.gz" : "u-lbl.idx";
        write_ubyte_pair(img, lbl, gz);
        char a[256];
        snprintf(a, sizeof a, "%s", tpath(img));
        DataSpec s = spec(fmt_spec("idx:%s,%s", a, tpath(lbl)));
        Dataset tr, te;
        GtErr e;
        assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
        check_ubyte_pair(&tr);
        assert_int_equal(te.n, 0);
        dataset_free(&tr);

        /* idx has no test file: --test-size splits the last N off. */
        s.test_size_set = 1;
        s.test_size = 2;
        assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
        assert_int_equal(tr.n, 3);
        assert_int_equal(te.n, 2);
        assert_int_equal(te.dim, 6);
        assert_true(te.x[0] == px[18] / 255.0);
        assert_int_equal(te.y[1], lab5[4]);
        dataset_free(&tr);
        dataset_free(&te);
    }
}

static void put_be32(unsigned char *p, uint32_t u)
{
    p[0] = (unsigned char)(u >> 24);
    p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8);
    p[3] = (unsigned char)u;
}

static void test_idx_float(void **state)
{
    (void)state;
    const float v[8] = {-1.5f, 0.0f, 3.25f, 1e-30f, 255.0f, -0.0f, 7.0f, 2.5f};
    unsigned char body[32], buf[256], lb[8];
    for (int i = 0; i < 8; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        put_be32(body + 4 * i, u);
    }
    const uint32_t di[2] = {2, 4}, dl[1] = {2};
    size_t n = make_idx(buf, 0x0D, 2, di, body, sizeof body);
    char img[256];
    snprintf(img, sizeof img, "%s", write_bytes("f-img.idx", buf, n));
    put_be32(lb, 1); /* int (0x0C) labels */
    put_be32(lb + 4, 0);
    n = make_idx(buf, 0x0C, 1, dl, lb, 8);
    DataSpec s = spec(fmt_spec("idx:%s,%s", img, write_bytes("i-lbl.idx", buf, n)));
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 2);
    assert_int_equal(tr.dim, 4);
    assert_int_equal(tr.classes, 2);
    for (int i = 0; i < 8; i++) /* float pixels are kept as they are, not scaled */
        assert_true(tr.x[i] == (double)v[i]);
    assert_int_equal(tr.y[0], 1);
    assert_int_equal(tr.y[1], 0);
    dataset_free(&tr);

    /* A NaN pixel is refused. */
    float nanv = NAN;
    uint32_t u;
    memcpy(&u, &nanv, 4);
    put_be32(body + 8, u);
    n = make_idx(buf, 0x0D, 2, di, body, sizeof body);
    snprintf(img, sizeof img, "%s", write_bytes("f-nan.idx", buf, n));
    s.data = fmt_spec("idx:%s,%s", img, tpath("i-lbl.idx"));
    expect_input_error(&s, "f-nan.idx", "NaN");
}

static void test_idx_errors(void **state)
{
    (void)state;
    write_ubyte_pair("g-img.gz", "g-lbl.gz", 1);
    unsigned char buf[512];
    const uint32_t di[3] = {5, 2, 3}, dl[1] = {5}, dl4[1] = {4};
    char good_img[256], good_lbl[256];
    snprintf(good_img, sizeof good_img, "%s", tpath("g-img.gz"));
    snprintf(good_lbl, sizeof good_lbl, "%s", tpath("g-lbl.gz"));
    DataSpec s = spec(NULL);

    s.data = fmt_spec("idx:%s,%s", tpath("nothere.gz"), good_lbl);
    expect_input_error(&s, "nothere.gz", "No such file");

    /* Neither gzip nor IDX: a text file. */
    s.data = fmt_spec("idx:%s,%s", good_img, write_text("text.idx", "hello, world\n"));
    expect_input_error(&s, "text.idx", "not a gzip or IDX file");

    /* Truncated gzip: the first half of a valid .gz. */
    size_t n = make_idx(buf, 0x08, 3, di, px, 30);
    gzFile gf;
    const char *tp = tpath("trunc.gz");
    {
        /* Random-looking pixels so the compressed stream is long enough to cut. */
        unsigned char big[4000];
        for (int i = 0; i < 4000; i++)
            big[i] = (unsigned char)(i * 2654435761u >> 13);
        const uint32_t dbig[3] = {5, 20, 40};
        unsigned char whole[4100];
        size_t wn = make_idx(whole, 0x08, 3, dbig, big, 4000);
        gf = gzopen(tp, "wb");
        assert_non_null(gf);
        gzwrite(gf, whole, (unsigned)wn);
        gzclose(gf);
        struct stat st;
        assert_int_equal(stat(tp, &st), 0);
        assert_int_equal(truncate(tp, st.st_size / 2), 0);
    }
    s.data = fmt_spec("idx:%s,%s", tp, good_lbl);
    expect_input_error(&s, "trunc.gz", "truncated");

    /* gzip'd, but the content has the wrong magic. */
    memcpy(buf, "\x01\x02\x08\x03", 4);
    write_gz("magic.gz", buf, n);
    s.data = fmt_spec("idx:%s,%s", tpath("magic.gz"), good_lbl);
    expect_input_error(&s, "magic.gz", "not an IDX file");

    /* Unknown element type 0x07. */
    n = make_idx(buf, 0x07, 3, di, px, 30);
    s.data = fmt_spec("idx:%s,%s", write_bytes("type.idx", buf, n), good_lbl);
    expect_input_error(&s, "type.idx", "0x07");

    /* 4 labels for 5 images. */
    n = make_idx(buf, 0x08, 1, dl4, lab5, 4);
    s.data = fmt_spec("idx:%s,%s", good_img, write_bytes("four.idx", buf, n));
    expect_input_error(&s, "four.idx", "4 labels");

    /* Raw file shorter than its header says. */
    n = make_idx(buf, 0x08, 3, di, px, 29);
    char shortp[256];
    snprintf(shortp, sizeof shortp, "%s", write_bytes("short.idx", buf, n));
    s.data = fmt_spec("idx:%s,%s", shortp, good_lbl);
    expect_input_error(&s, "short.idx", "shorter");

    /* Label out of range with --classes 3 (label 3 is present). */
    s.data = fmt_spec("idx:%s,%s", good_img, good_lbl);
    s.classes = 3;
    expect_input_error(&s, "g-lbl.gz", "out of range");
    s.classes = 0;

    /* Negative sbyte label. */
    const unsigned char neg[5] = {0, 1, 0xff, 1, 0};
    n = make_idx(buf, 0x09, 1, dl, neg, 5);
    s.data = fmt_spec("idx:%s,%s", good_img, write_bytes("neg.idx", buf, n));
    expect_input_error(&s, "neg.idx", "label[2] = -1");

    /* Float labels are not class numbers. */
    unsigned char fl[20] = {0};
    n = make_idx(buf, 0x0D, 1, dl, fl, 20);
    s.data = fmt_spec("idx:%s,%s", good_img, write_bytes("flab.idx", buf, n));
    expect_input_error(&s, "flab.idx", "integer");

    /* Empty file. */
    s.data = fmt_spec("idx:%s,%s", write_text("zero.idx", ""), good_lbl);
    expect_input_error(&s, "zero.idx", NULL);

    /* Train size too large, with the file named. */
    s.data = fmt_spec("idx:%s,%s", good_img, good_lbl);
    s.train_size = 6;
    expect_input_error(&s, "g-img.gz", "--train-size 6");
}

static void test_spec_errors(void **state)
{
    (void)state;
    DataSpec s = spec("mnist");
    expect_input_error(&s, "mnist", "unknown data set");
    s = spec("idx:onlyone");
    expect_input_error(&s, "onlyone", "IMAGES,LABELS");
    s = spec("gaussian");
    s.test_csv = "held.csv";
    expect_input_error(&s, "held.csv", "csv");
    s = spec("fashion-mnist:/nonexistent/fm");
    expect_input_error(&s, "/nonexistent/fm/train-", "No such file");
}

/* ---- synthetic ------------------------------------------------------------------------ */

static void check_synthetic(const char *name, size_t dim, int classes)
{
    DataSpec s = spec(name);
    s.seed = 42;
    Dataset a, at, b, bt, c, ct;
    GtErr e;
    assert_int_equal(load(&s, &a, &at, &e), GT_OK);
    assert_int_equal(load(&s, &b, &bt, &e), GT_OK);
    s.seed = 43;
    assert_int_equal(load(&s, &c, &ct, &e), GT_OK);
    assert_int_equal(a.n, 4096);
    assert_int_equal(at.n, 1024);
    assert_int_equal(a.dim, dim);
    assert_int_equal(at.dim, dim);
    assert_int_equal(a.classes, classes);
    assert_int_equal(at.classes, classes);
    /* Same seed, same bits. */
    assert_memory_equal(a.x, b.x, a.n * dim * sizeof(double));
    assert_memory_equal(a.y, b.y, a.n * sizeof(int32_t));
    assert_memory_equal(at.x, bt.x, at.n * dim * sizeof(double));
    assert_memory_equal(at.y, bt.y, at.n * sizeof(int32_t));
    /* Another seed, other data; the test set is not a copy of the training set. */
    assert_memory_not_equal(a.x, c.x, a.n * dim * sizeof(double));
    assert_memory_not_equal(a.x, at.x, at.n * dim * sizeof(double));
    for (size_t i = 0; i < a.n * dim; i++)
        assert_true(isfinite(a.x[i]));
    assert_all_classes(&a);
    assert_all_classes(&at);
    assert_all_classes(&c);
    dataset_free(&a);
    dataset_free(&at);
    dataset_free(&b);
    dataset_free(&bt);
    dataset_free(&c);
    dataset_free(&ct);
}

static void test_gaussian(void **state)
{
    (void)state;
    check_synthetic("gaussian", 32, 10);

    /* Labels stay non-degenerate over many seeds and roughly balanced: each of the 10
     * classes gets 5%..17% of the samples (a raw argmax teacher, without the per-logit
     * standardisation, falls outside this for some seeds). */
    for (uint64_t seed = 1; seed <= 50; seed++) {
        DataSpec s = spec("gaussian");
        s.seed = seed;
        Dataset tr, te;
        GtErr e;
        assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
        assert_all_classes(&tr);
        int count[10] = {0};
        for (size_t i = 0; i < tr.n; i++)
            count[tr.y[i]]++;
        for (int k = 0; k < 10; k++)
            if (count[k] < 0.05 * (double)tr.n || count[k] > 0.17 * (double)tr.n)
                fail_msg("seed %d: class %d has %d of %zu samples", (int)seed, k, count[k],
                         tr.n);
        dataset_free(&tr);
        dataset_free(&te);
    }

    /* The teacher depends on the seed only, not the set sizes: a smaller training set is
     * a prefix of the default one. */
    DataSpec s = spec("gaussian");
    s.input_dim = 5;
    s.classes = 4;
    Dataset a, at, b, bt;
    GtErr e;
    assert_int_equal(load(&s, &a, &at, &e), GT_OK);
    s.train_size = 100;
    s.test_size_set = 1;
    s.test_size = 0;
    assert_int_equal(load(&s, &b, &bt, &e), GT_OK);
    assert_int_equal(a.dim, 5);
    assert_int_equal(b.n, 100);
    assert_int_equal(bt.n, 0);
    assert_memory_equal(a.x, b.x, 100 * 5 * sizeof(double));
    assert_memory_equal(a.y, b.y, 100 * sizeof(int32_t));
    assert_all_classes(&a);
    dataset_free(&a);
    dataset_free(&at);
    dataset_free(&b);
    dataset_free(&bt);

    s = spec("gaussian");
    s.classes = 1;
    expect_input_error(&s, "--classes 1", NULL);
}

static void test_spirals(void **state)
{
    (void)state;
    check_synthetic("spirals", 2, 3);
    DataSpec s = spec("spirals");
    s.classes = 5;
    s.input_dim = 2;
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.classes, 5);
    assert_all_classes(&tr);
    for (size_t i = 0; i < tr.n; i++) /* radius in [0,1] */
        assert_true(hypot(tr.x[2 * i], tr.x[2 * i + 1]) <= 1.0);
    dataset_free(&tr);
    dataset_free(&te);
    s.input_dim = 3;
    expect_input_error(&s, "--input-dim 3", "2-D");
}

/* ---- normalisation -------------------------------------------------------------------- */

static void test_normalize(void **state)
{
    (void)state;
    /* Feature 1 varies, feature 2 is constant (must be centred only, not NaN). */
    const char *p = write_text("norm.csv", "1,5,0\n2,5,1\n3,5,0\n6,5,1\n");
    const char *q = write_text("norm-te.csv", "3,7,0\n");
    DataSpec s = spec(fmt_spec("csv:%s", p, NULL));
    s.test_csv = q;
    s.normalize = 1;
    Dataset tr, te;
    GtErr e;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    double sd = sqrt((4 + 1 + 0 + 9) / 4.0); /* mean 3 */
    for (int i = 0; i < 4; i++) /* == so that a NaN fails */
        assert_true(tr.x[2 * i + 1] == 0.0);
    assert_float_equal(tr.x[0], (1 - 3) / sd, 1e-15);
    /* The test set uses the training statistics. */
    assert_float_equal(te.x[0], 0.0, 1e-15);
    assert_true(te.x[1] == 2.0);
    dataset_free(&tr);
    dataset_free(&te);

    /* Spiral features (not unit scale to begin with) end with mean 0 and std 1. */
    s = spec("spirals");
    s.normalize = 1;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    for (size_t j = 0; j < tr.dim; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < tr.n; i++)
            m += tr.x[i * tr.dim + j];
        m /= (double)tr.n;
        for (size_t i = 0; i < tr.n; i++)
            v += (tr.x[i * tr.dim + j] - m) * (tr.x[i * tr.dim + j] - m);
        v /= (double)tr.n;
        assert_float_equal(m, 0.0, 1e-12);
        assert_float_equal(v, 1.0, 1e-12);
    }
    dataset_free(&tr);
    dataset_free(&te);
}

static void test_free_zeroed(void **state)
{
    (void)state;
    Dataset d;
    memset(&d, 0, sizeof d);
    dataset_free(&d);
    dataset_free(&d);
    dataset_free(NULL);
    assert_null(d.x);
}

/* ---- Fashion-MNIST -------------------------------------------------------------------- */

#define FM_DIR "/usr/share/datasets/fashion-mnist"

static void test_fashion_mnist(void **state)
{
    (void)state;
    struct stat st;
    if (stat(FM_DIR, &st) != 0) {
        print_message("fashion-mnist: %s not found (package dataset-fashion-mnist); "
                      "skipped\n", FM_DIR);
        skip();
    }
    DataSpec s = spec("fashion-mnist");
    Dataset tr, te;
    GtErr e;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = load(&s, &tr, &te, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, GT_OK);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    print_message("fashion-mnist: loaded 60000+10000 images in %.3f s\n", secs);
    assert_int_equal(tr.n, 60000);
    assert_int_equal(te.n, 10000);
    assert_int_equal(tr.dim, 784);
    assert_int_equal(te.dim, 784);
    assert_int_equal(tr.classes, 10);
    int count[10] = {0};
    for (size_t i = 0; i < tr.n; i++) {
        assert_in_range(tr.y[i], 0, 9);
        count[tr.y[i]]++;
    }
    for (int k = 0; k < 10; k++)
        assert_int_equal(count[k], 6000);
    double lo = 1, hi = 0;
    for (size_t i = 0; i < tr.n * tr.dim; i++) {
        lo = fmin(lo, tr.x[i]);
        hi = fmax(hi, tr.x[i]);
    }
    assert_true(lo == 0.0 && hi == 1.0);
    for (size_t i = 0; i < te.n * te.dim; i++)
        assert_true(te.x[i] >= 0.0 && te.x[i] <= 1.0);
    dataset_free(&tr);
    dataset_free(&te);

    /* Subsets of the real set, and a size error naming the file. */
    s.train_size = 1000;
    s.test_size_set = 1;
    s.test_size = 500;
    assert_int_equal(load(&s, &tr, &te, &e), GT_OK);
    assert_int_equal(tr.n, 1000);
    assert_int_equal(te.n, 500);
    dataset_free(&tr);
    dataset_free(&te);
    s.train_size = 70000;
    expect_input_error(&s, "train-images-idx3-ubyte.gz", "--train-size 70000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_plain),
        cmocka_unit_test(test_csv_header_crlf),
        cmocka_unit_test(test_csv_classes),
        cmocka_unit_test(test_csv_test_file),
        cmocka_unit_test(test_csv_split_and_subsets),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_idx_ubyte),
        cmocka_unit_test(test_idx_float),
        cmocka_unit_test(test_idx_errors),
        cmocka_unit_test(test_spec_errors),
        cmocka_unit_test(test_gaussian),
        cmocka_unit_test(test_spirals),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_free_zeroed),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
