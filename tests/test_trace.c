/* Tests for trace.c: mkdir -p, exact CSV text, atomic publication (no final name before close,
 * no temporary file after), write failures (disk full, file-size limit, rename onto a
 * directory), .npy headers and data parsed back byte for byte, and JSON read back by cJSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tfiles.h"
#include "trace.h"

/* ---- fixtures and helpers ------------------------------------------------------------ */

static int make_tmpdir(void **state)
{
    char d[PATHMAX];
    if (scratch_dir(d, "trace") != 0)
        return -1;
    *state = strdup(d);
    return *state ? 0 : -1;
}

/* Also frees the buffers a failed assertion left (must_slurp's). */
static int remove_tmpdir(void **state)
{
    int rc = rm_tree(*state);
    free(*state);
    free_all(NULL);
    return rc;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Entries of dir other than . and .., so a leftover temporary file shows up. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* The temporary name trace.c documents: DIR/.NAME.tmp.<pid>. */
static const char *tmp_name(char *buf, const char *dir, const char *name)
{
    snprintf(buf, PATHMAX, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    return buf;
}

/* ---- trace_mkdir --------------------------------------------------------------------- */

static void test_mkdir_nested_and_existing(void **state)
{
    const char *d = *state;
    char p[PATHMAX];
    GtErr e = {0};
    assert_int_equal(trace_mkdir(join(p, d, "a/b/c"), &e), GT_OK);
    assert_true(is_dir(p));
    assert_int_equal(trace_mkdir(p, &e), GT_OK); /* already there */
    assert_int_equal(trace_mkdir(join(p, d, "a/b/c/"), &e), GT_OK);
    assert_int_equal(trace_mkdir(join(p, d, "x//y/"), &e), GT_OK);
    assert_true(is_dir(join(p, d, "x/y")));
    assert_int_equal(trace_mkdir(d, &e), GT_OK);
}

static void test_mkdir_file_in_the_way(void **state)
{
    const char *d = *state;
    char f[PATHMAX], p[PATHMAX];
    write_text(join(f, d, "file"), "x");
    GtErr e = {0};

    assert_int_equal(trace_mkdir(join(p, d, "file/sub/deeper"), &e), GT_EINPUT);
    assert_int_equal(e.code, GT_EINPUT);
    assert_non_null(strstr(e.msg, p));
    assert_non_null(strstr(e.msg, "Not a directory"));
    assert_null(strchr(e.msg, '\n'));

    memset(&e, 0, sizeof e);
    assert_int_equal(trace_mkdir(f, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, f));
    assert_non_null(strstr(e.msg, "Not a directory"));

    assert_int_equal(trace_mkdir("", &e), GT_EINPUT);
}

/* ---- CSV ----------------------------------------------------------------------------- */

static void test_csv_exact_text_and_atomic(void **state)
{
    const char *d = *state;
    char path[PATHMAX], tmp[PATHMAX];
    join(path, d, "t.csv");
    tmp_name(tmp, d, "t.csv");
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, d, "t.csv", "step,a,b,c,d", 9, &e), GT_OK);

    csv_int(&c, 0);
    csv_real(&c, 0.1);
    csv_xnorm(&c, xnorm_make(2.0, -2000));
    csv_empty(&c);
    csv_real(&c, -INFINITY);
    csv_end_row(&c);

    csv_int(&c, -5);
    csv_real(&c, NAN);
    csv_xnorm(&c, xnorm_make(0.0, 0));
    csv_real(&c, INFINITY);
    csv_real(&c, 1e-40);
    csv_end_row(&c);

    csv_int(&c, 1LL << 40);
    csv_real(&c, -NAN); /* printf would say "-nan" */
    csv_xnorm(&c, xnorm_make(0.0625, 0));
    csv_real(&c, 1.0 / 3.0);
    csv_empty(&c);
    csv_end_row(&c);

    assert_false(exists(path)); /* not published before close */
    assert_true(exists(tmp));
    assert_int_equal(csv_close(&c, &e), GT_OK);
    assert_true(exists(path));
    assert_false(exists(tmp));
    assert_int_equal(count_entries(d), 1);

    char *text = must_slurp(path, NULL);
    assert_string_equal(text, "step,a,b,c,d\n"
                              "0,0.1,1.23175312e-602,,-inf\n"
                              "-5,nan,0,inf,1e-40\n"
                              "1099511627776,nan,0.25,0.333333333,\n");
    t_free(text);
}

static void test_csv_float64_digits(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, d, "f64.csv", "x,y", 17, &e), GT_OK);
    csv_real(&c, 0.1);
    csv_xnorm(&c, xnorm_make(1.0, -1074)); /* subnormal: exact text, not printf's */
    csv_end_row(&c);
    assert_int_equal(csv_close(&c, &e), GT_OK);
    /* csv_xnorm passes the 17 digits on (xnorm's tests check the digits themselves). */
    char num[64], want[128];
    xnorm_format(num, sizeof num, xnorm_make(1.0, -1074), 17);
    assert_int_equal(strlen(num), strlen("4.9406564584124654e-324"));
    snprintf(want, sizeof want, "x,y\n0.10000000000000001,%s\n", num);
    char *text = must_slurp(join(path, d, "f64.csv"), NULL);
    assert_string_equal(text, want);
    t_free(text);
}

static void test_csv_replaces_existing_file(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    write_text(join(path, d, "r.csv"), "old\n");
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, d, "r.csv", "new", 9, &e), GT_OK);
    char *text = must_slurp(path, NULL); /* the old file stays whole until the rename */
    assert_string_equal(text, "old\n");
    t_free(text);
    assert_int_equal(csv_close(&c, &e), GT_OK);
    text = must_slurp(path, NULL);
    assert_string_equal(text, "new\n");
    t_free(text);
}

static void test_csv_abort(void **state)
{
    const char *d = *state;
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, d, "a.csv", "x", 9, &e), GT_OK);
    csv_int(&c, 1);
    csv_end_row(&c);
    assert_int_equal(count_entries(d), 1);
    csv_abort(&c);
    assert_int_equal(count_entries(d), 0);
    csv_abort(&c); /* idempotent */
    assert_int_equal(csv_close(&c, &e), GT_ESYS); /* closing an aborted file is a bug, not a crash */

    CsvFile z = {0};
    csv_abort(&z);
    csv_int(&z, 1); /* writes to a file that is not open are ignored */
    csv_end_row(&z);
}

static void test_csv_open_missing_dir(void **state)
{
    const char *d = *state;
    char p[PATHMAX];
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, join(p, d, "nope"), "t.csv", "x", 9, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "nope/t.csv"));
    assert_non_null(strstr(e.msg, "No such file or directory"));
    assert_null(c.f);
    csv_abort(&c);
}

static void test_csv_disk_full(void **state)
{
    const char *d = *state;
    if (access("/dev/full", W_OK) != 0) {
        print_message("no writable /dev/full; skipping\n");
        skip();
    }
    /* Point the temporary name at /dev/full, whose writes fail with ENOSPC. */
    char path[PATHMAX], tmp[PATHMAX];
    join(path, d, "full.csv");
    assert_int_equal(symlink("/dev/full", tmp_name(tmp, d, "full.csv")), 0);
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, d, "full.csv", "x,y", 9, &e), GT_OK);
    for (int i = 0; i < 100; i++) {
        csv_int(&c, i);
        csv_real(&c, i * 0.5);
        csv_end_row(&c);
    }
    assert_int_equal(csv_close(&c, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "write failed: No space left on device"));
    assert_false(exists(path));
    assert_false(exists(tmp));
    assert_int_equal(count_entries(d), 0);
    assert_true(exists("/dev/full")); /* the link went, not its target */
}

/* In a child, so the file-size limit and ignored SIGXFSZ do not leak into other tests. */
static void test_csv_file_size_limit(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    join(path, d, "big.csv");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
        CsvFile c;
        GtErr e = {0};
        if (csv_open(&c, d, "big.csv", "i,x", 9, &e) != GT_OK)
            _exit(11);
        /* ~2.4 MB: the failure comes mid-stream, past the 1 MiB buffer, not only at close. */
        for (int i = 0; i < 200000; i++) {
            csv_int(&c, i);
            csv_real(&c, i * 0.25);
            csv_end_row(&c);
        }
        if (!c.failed)
            _exit(12);
        if (csv_close(&c, &e) != GT_EINPUT)
            _exit(13);
        if (!strstr(e.msg, "big.csv: write failed: File too large"))
            _exit(14);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(exists(path));
    assert_int_equal(count_entries(d), 0);
}

static void test_csv_rename_onto_directory(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    assert_int_equal(mkdir(join(path, d, "t.csv"), 0777), 0);
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open(&c, d, "t.csv", "x", 9, &e), GT_OK);
    csv_int(&c, 1);
    csv_end_row(&c);
    assert_int_equal(csv_close(&c, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "Is a directory"));
    assert_true(is_dir(path));
    assert_int_equal(count_entries(d), 1); /* no temporary file left */
}

/* ---- .npy ---------------------------------------------------------------------------- */

/* Parses a .npy file as numpy would and checks header and data byte for byte. */
static void check_npy(const char *path, const char *descr, const char *shape,
                      const void *data, size_t nbytes)
{
    size_t len;
    unsigned char *b = (unsigned char *)must_slurp(path, &len);
    assert_true(len >= 10);
    assert_memory_equal(b, "\x93NUMPY", 6);
    assert_int_equal(b[6], 1);
    assert_int_equal(b[7], 0);
    size_t hl = (size_t)b[8] | (size_t)b[9] << 8;
    assert_int_equal((10 + hl) % 64, 0);
    assert_int_equal(len, 10 + hl + nbytes);
    assert_int_equal(b[10 + hl - 1], '\n');

    char want[256];
    int n = snprintf(want, sizeof want, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape);
    assert_true((size_t)n < hl);
    assert_memory_equal(b + 10, want, (size_t)n);
    for (size_t i = 10 + (size_t)n; i < 10 + hl - 1; i++)
        assert_int_equal(b[i], ' ');
    if (nbytes)
        assert_memory_equal(b + 10 + hl, data, nbytes);
    t_free(b);
}

/* Optional cross-check with numpy itself; numpy is not a dependency, so skip without it. */
static void numpy_check(const char *path, const char *expr)
{
    if (system("python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
        print_message("numpy not available; np.load check skipped\n");
        return;
    }
    char cmd[PATHMAX + 512];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys, numpy as np; a = np.load(sys.argv[1]); "
             "sys.exit(0 if (%s) else 1)' '%s'",
             expr, path);
    assert_int_equal(system(cmd), 0);
}

static void test_npy_2d_float32(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    float a[12];
    for (int i = 0; i < 12; i++)
        a[i] = i * 0.5f - 1.0f;
    a[5] = 1e-40f; /* subnormal float32 must survive as is */
    GtErr e = {0};
    assert_int_equal(npy_write(d, "W1.npy", a, 4, 3, 4, &e), GT_OK);
    check_npy(join(path, d, "W1.npy"), "<f4", "(3, 4)", a, sizeof a);
    assert_int_equal(count_entries(d), 1);
    numpy_check(path, "a.dtype == np.float32 and a.shape == (3, 4) and a[2, 3] == 4.5 "
                      "and a[1, 1] == np.float32(1e-40)");
}

static void test_npy_2d_float64(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    double a[12];
    for (int i = 0; i < 12; i++)
        a[i] = i / 3.0 - 2.0;
    GtErr e = {0};
    assert_int_equal(npy_write(d, "W2.npy", a, 8, 3, 4, &e), GT_OK);
    check_npy(join(path, d, "W2.npy"), "<f8", "(3, 4)", a, sizeof a);
    numpy_check(path, "a.dtype == np.float64 and a.shape == (3, 4) and a[2, 3] == 11 / 3.0 - 2");
}

static void test_npy_1d_and_empty(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    float b[5] = {1, 2, 3, 4, 5};
    GtErr e = {0};
    assert_int_equal(npy_write(d, "b1.npy", b, 4, 0, 5, &e), GT_OK);
    check_npy(join(path, d, "b1.npy"), "<f4", "(5,)", b, sizeof b);
    numpy_check(path, "a.shape == (5,) and a.sum() == 15");

    assert_int_equal(npy_write(d, "e.npy", NULL, 8, 0, 0, &e), GT_OK);
    check_npy(join(path, d, "e.npy"), "<f8", "(0,)", NULL, 0);

    /* A longer shape text still gives a 64-aligned header. */
    assert_int_equal(npy_write(d, "tall.npy", NULL, 8, 123456789, 0, &e), GT_OK);
    check_npy(join(path, d, "tall.npy"), "<f8", "(123456789, 0)", NULL, 0);
    assert_int_equal(count_entries(d), 3);
}

static void test_npy_errors(void **state)
{
    const char *d = *state;
    char p[PATHMAX];
    float x = 1;
    GtErr e = {0};
    assert_int_equal(npy_write(d, "x.npy", &x, 2, 0, 1, &e), GT_ESYS);
    assert_int_equal(count_entries(d), 0);
    assert_int_equal(npy_write(join(p, d, "missing"), "x.npy", &x, 4, 0, 1, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "missing/x.npy"));
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void test_json_write_reads_back(void **state)
{
    const char *d = *state;
    char path[PATHMAX];
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", "complete");
    cJSON_AddNumberToObject(doc, "depth", 12);
    cJSON_AddNumberToObject(doc, "lr", 0.05);
    cJSON *arr = cJSON_AddArrayToObject(doc, "layers");
    for (int i = 1; i <= 3; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
    cJSON_AddTrueToObject(cJSON_AddObjectToObject(doc, "nested"), "ok");

    GtErr e = {0};
    write_text(join(path, d, "run.json"), "stale");
    assert_int_equal(json_write(d, "run.json", doc, &e), GT_OK);
    cJSON_Delete(doc);
    assert_int_equal(count_entries(d), 1);

    size_t len;
    char *text = must_slurp(path, &len);
    assert_true(len >= 2);
    assert_memory_equal(text + len - 2, "}\n", 2);
    cJSON *back = cJSON_Parse(text);
    t_free(text);
    assert_non_null(back);
    assert_string_equal(cJSON_GetObjectItem(back, "status")->valuestring, "complete");
    assert_int_equal(cJSON_GetObjectItem(back, "depth")->valueint, 12);
    assert_true(cJSON_GetObjectItem(back, "lr")->valuedouble == 0.05);
    cJSON *layers = cJSON_GetObjectItem(back, "layers");
    assert_int_equal(cJSON_GetArraySize(layers), 3);
    assert_int_equal(cJSON_GetArrayItem(layers, 2)->valueint, 3);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(back, "nested"), "ok")));
    cJSON_Delete(back);

    cJSON *small = cJSON_CreateObject();
    assert_int_equal(json_write(join(path, d, "missing"), "run.json", small, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "missing/run.json"));
    cJSON_Delete(small);
}

/* ---- live traces (NAME.partial) -------------------------------------------------------- */

/* A live file is NAME.partial while written, whole rows after each flush (also when rows
 * outgrow the 1 MiB buffer between flushes), NAME after commit. */
static void test_live_partial_whole_rows(void **state)
{
    const char *d = *state;
    char path[PATHMAX], part[PATHMAX];
    join(path, d, "s.csv");
    join(part, d, "s.csv.partial");
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open_live(&c, d, "s.csv", "a,b", 9, &e), GT_OK);
    assert_true(exists(part));
    assert_false(exists(path));
    csv_int(&c, 1);
    csv_real(&c, 0.5);
    csv_end_row(&c);
    assert_int_equal(csv_offset(&c), 10); /* "a,b\n1,0.5\n", flushed */
    char *text = must_slurp(part, NULL);
    assert_string_equal(text, "a,b\n1,0.5\n");
    t_free(text);
    /* 3 MiB of rows without an explicit flush: whatever is on disk ends with a newline */
    for (int i = 0; i < 200000; i++) {
        csv_str(&c, "abcdefgh");
        csv_int(&c, i);
        csv_end_row(&c);
        if (i % 20000 == 19999) {
            size_t n;
            char *t = must_slurp(part, &n);
            assert_true(n > 0 && t[n - 1] == '\n');
            t_free(t);
        }
    }
    assert_int_equal(csv_finish(&c, &e), GT_OK);
    assert_int_equal(csv_commit(&c, &e), GT_OK);
    assert_true(exists(path));
    assert_false(exists(part));
}

/* Resuming cuts the .partial back to the offset and appends; without a .partial the final
 * file is copied up to the offset; a file shorter than the offset is refused. */
static void test_live_resume(void **state)
{
    const char *d = *state;
    char path[PATHMAX], part[PATHMAX];
    join(path, d, "s.csv");
    join(part, d, "s.csv.partial");
    CsvFile c;
    GtErr e = {0};
    assert_int_equal(csv_open_live(&c, d, "s.csv", "a", 9, &e), GT_OK);
    csv_int(&c, 1);
    csv_end_row(&c);
    long long at = csv_offset(&c);
    csv_int(&c, 2);
    csv_end_row(&c);
    csv_detach(&c); /* as a killed run leaves it */
    assert_true(exists(part));
    assert_int_equal(csv_resume_live(&c, d, "s.csv", at, 9, &e), GT_OK);
    csv_int(&c, 3);
    csv_end_row(&c);
    assert_int_equal(csv_close(&c, &e), GT_OK);
    char *text = must_slurp(path, NULL);
    assert_string_equal(text, "a\n1\n3\n");
    t_free(text);
    /* from the final name (an interrupted run's): copied, the original stays until commit */
    assert_int_equal(csv_resume_live(&c, d, "s.csv", 4, 9, &e), GT_OK);
    text = must_slurp(path, NULL);
    assert_string_equal(text, "a\n1\n3\n");
    t_free(text);
    csv_int(&c, 4);
    csv_end_row(&c);
    assert_int_equal(csv_close(&c, &e), GT_OK);
    text = must_slurp(path, NULL);
    assert_string_equal(text, "a\n1\n4\n");
    t_free(text);
    /* too short, and missing */
    assert_int_equal(csv_resume_live(&c, d, "s.csv", 100, 9, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "shorter than its checkpoint"));
    assert_false(exists(part));
    assert_int_equal(csv_resume_live(&c, d, "none.csv", 1, 9, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "none.csv"));
}

static void test_clean_partial(void **state)
{
    const char *d = *state;
    char p[PATHMAX];
    FILE *f = fopen(join(p, d, "a.csv.partial"), "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mkdir(join(p, d, "weights.partial"), 0777), 0);
    assert_int_equal(mkdir(join(p, d, "weights.partial/step-0"), 0777), 0);
    f = fopen(join(p, d, "keep.csv"), "w");
    assert_non_null(f);
    fclose(f);
    trace_clean_partial(d);
    assert_int_equal(count_entries(d), 1);
    assert_true(exists(join(p, d, "keep.csv")));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, make_tmpdir, remove_tmpdir)
    const struct CMUnitTest tests[] = {
        T(test_mkdir_nested_and_existing),
        T(test_mkdir_file_in_the_way),
        T(test_csv_exact_text_and_atomic),
        T(test_csv_float64_digits),
        T(test_csv_replaces_existing_file),
        T(test_csv_abort),
        T(test_csv_open_missing_dir),
        T(test_csv_disk_full),
        T(test_csv_file_size_limit),
        T(test_csv_rename_onto_directory),
        T(test_npy_2d_float32),
        T(test_npy_2d_float64),
        T(test_npy_1d_and_empty),
        T(test_npy_errors),
        T(test_json_write_reads_back),
        T(test_live_partial_whole_rows),
        T(test_live_resume),
        T(test_clean_partial),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
