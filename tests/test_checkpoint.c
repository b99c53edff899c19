/* Tests for checkpoint.c: a payload comes back byte for byte (float bits included: NaN
 * payloads, -0, subnormals); every single damaged byte and every truncation is refused with
 * a line saying so; a different configuration is refused naming the option and both
 * values; a missing file says that there is no checkpoint; a rewrite replaces the file
 * and leaves no temporary name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "tfiles.h"

static const char CONFIG[] = "depth=10\nwidth=128\nlr=0.01\nseed=1\n";

static int make_tmpdir(void **state)
{
    char d[PATHMAX];
    if (scratch_dir(d, "checkpoint") != 0) return -1;
    *state = strdup(d);
    return *state ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    int rc = rm_tree(*state);
    free(*state);
    free_all(NULL);
    return rc;
}

/* A payload of n bytes: a counter pattern, then doubles whose bits matter. */
static void fill(CkptBuf *b, size_t n)
{
    const double special[] = {-0.0, 5e-324, NAN, -INFINITY, 0x1.fffffffffffffp+1023};
    uint64_t quiet_nan_payload = 0x7ff8000000012345ULL;
    ckpt_put(b, special, sizeof special);
    ckpt_put(b, &quiet_nan_payload, sizeof quiet_nan_payload);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)(i * 131 + 7);
        ckpt_put(b, &c, 1);
    }
    assert_false(b->oom);
}

static void write_file(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int tmp_names(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));) n += strstr(de->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void test_round_trip(void **state)
{
    const char *dir = *state;
    CkptBuf b = {0}, got;
    fill(&b, 100000);
    GtErr e = {0};
    assert_int_equal(ckpt_write(dir, CONFIG, &b, &e), GT_OK);
    assert_int_equal(tmp_names(dir), 0);
    assert_true(ckpt_exists(dir));
    char *cfg;
    assert_int_equal(ckpt_read(dir, CONFIG, &cfg, &got, &e), GT_OK);
    assert_string_equal(cfg, CONFIG);
    assert_int_equal(got.len, b.len);
    assert_memory_equal(got.buf, b.buf, b.len);
    /* sequential reads, and a read past the end refused */
    double d[5];
    uint64_t nanbits;
    assert_int_equal(ckpt_get(&got, d, sizeof d), 0);
    assert_int_equal(ckpt_get(&got, &nanbits, sizeof nanbits), 0);
    assert_true(signbit(d[0]) && d[0] == 0);
    assert_true(d[1] == 5e-324 && isnan(d[2]) && d[3] == -INFINITY);
    assert_true(nanbits == 0x7ff8000000012345ULL);
    unsigned char rest[100000], extra;
    assert_int_equal(ckpt_get(&got, rest, sizeof rest), 0);
    assert_int_equal(rest[99999], (unsigned char)(99999 * 131 + 7));
    assert_int_equal(ckpt_get(&got, &extra, 1), -1);
    free(cfg);
    ckpt_buf_free(&got);
    /* without a wanted configuration (what --resume reads first) */
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_OK);
    assert_string_equal(cfg, CONFIG);
    free(cfg);
    ckpt_buf_free(&got);
    /* a second write replaces the first */
    CkptBuf small = {0};
    fill(&small, 3);
    assert_int_equal(ckpt_write(dir, CONFIG, &small, &e), GT_OK);
    assert_int_equal(ckpt_read(dir, CONFIG, &cfg, &got, &e), GT_OK);
    assert_int_equal(got.len, small.len);
    assert_memory_equal(got.buf, small.buf, small.len);
    free(cfg);
    ckpt_buf_free(&got);
    ckpt_buf_free(&small);
    ckpt_buf_free(&b);
    ckpt_remove(dir);
    assert_false(ckpt_exists(dir));
}

static void test_damaged_refused(void **state)
{
    const char *dir = *state;
    CkptBuf b = {0}, got;
    fill(&b, 200);
    GtErr e = {0};
    assert_int_equal(ckpt_write(dir, CONFIG, &b, &e), GT_OK);
    char path[PATHMAX];
    join(path, dir, CKPT_NAME);
    size_t len;
    unsigned char *orig = (unsigned char *)slurp(path, &len);
    assert_non_null(orig);
    unsigned char *bad = t_alloc(len);
    char *cfg;
    /* every byte, each bit pattern changed: header, configuration, payload and checksum */
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, orig, len);
        bad[i] ^= (unsigned char)(1u << (i % 8));
        write_file(path, bad, len);
        e.msg[0] = 0;
        if (ckpt_read(dir, NULL, &cfg, &got, &e) != GT_EINPUT)
            fail_msg("byte %zu of %zu flipped: accepted", i, len);
        assert_non_null(strstr(e.msg, CKPT_NAME));
        assert_null(strchr(e.msg, '\n'));
        assert_false(ckpt_exists(dir));
    }
    /* every truncation, and a byte too many */
    for (size_t n = 0; n < len; n++) {
        write_file(path, orig, n);
        if (ckpt_read(dir, NULL, &cfg, &got, &e) != GT_EINPUT)
            fail_msg("truncated to %zu of %zu bytes: accepted", n, len);
    }
    memcpy(bad, orig, len);
    write_file(path, orig, len);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputc(0, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_EINPUT);
    /* the messages say what is wrong */
    memcpy(bad, orig, len);
    bad[len - 40] ^= 1; /* in the payload */
    write_file(path, bad, len);
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "checksum"));
    memcpy(bad, orig, len);
    bad[0] = 'X';
    write_file(path, bad, len);
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "not a gradtrace checkpoint"));
    memcpy(bad, orig, len);
    bad[8] = CKPT_VERSION + 1;
    write_file(path, bad, len);
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "version"));
    write_file(path, orig, len);
    assert_int_equal(ckpt_read(dir, CONFIG, &cfg, &got, &e), GT_OK);
    free(cfg);
    ckpt_buf_free(&got);
    ckpt_buf_free(&b);
}

static void test_config_mismatch_refused(void **state)
{
    const char *dir = *state;
    CkptBuf b = {0}, got;
    fill(&b, 10);
    GtErr e = {0};
    assert_int_equal(ckpt_write(dir, CONFIG, &b, &e), GT_OK);
    char *cfg;
    assert_int_equal(ckpt_read(dir, "depth=10\nwidth=128\nlr=0.1\nseed=1\n", &cfg, &got, &e),
                     GT_EINPUT);
    assert_non_null(strstr(e.msg, "--lr 0.1 differs from the checkpoint's --lr 0.01"));
    /* a key on one side only: another gradtrace version wrote the checkpoint (0.2.0's
     * checkpoints have no --norm), at the end of the list or within it */
    assert_int_equal(ckpt_read(dir, "depth=10\nwidth=128\nlr=0.01\n", &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "configuration has --seed 1, so another gradtrace version wrote it"));
    assert_int_equal(ckpt_read(dir, "depth=10\nwidth=128\nlr=0.01\nseed=1\nx=2\n", &cfg, &got, &e),
                     GT_EINPUT);
    assert_non_null(strstr(e.msg, "configuration has no --x, so another gradtrace version wrote it"));
    assert_int_equal(ckpt_read(dir, "depth=10\nnorm=none\nwidth=128\nlr=0.01\nseed=1\n", &cfg, &got, &e),
                     GT_EINPUT);
    assert_non_null(strstr(e.msg, "configuration has no --norm, so another gradtrace version wrote it (this is "));
    assert_non_null(strstr(e.msg, "resume it with that version, or start again with --force"));
    assert_int_equal(ckpt_read(dir, "depth=10\nlr=0.01\nseed=1\n", &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "configuration has --width 128, so"));
    assert_int_equal(ckpt_read(dir, "", &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--depth"));
    ckpt_buf_free(&b);
}

static void test_missing(void **state)
{
    const char *dir = *state;
    CkptBuf got;
    char *cfg, sub[PATHMAX];
    GtErr e = {0};
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "no checkpoint"));
    assert_false(ckpt_exists(dir));
    /* a directory in its place */
    assert_int_equal(mkdir(join(sub, dir, CKPT_NAME), 0777), 0);
    assert_int_equal(ckpt_read(dir, NULL, &cfg, &got, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "cannot read"));
    /* nowhere to write */
    CkptBuf b = {0};
    fill(&b, 1);
    assert_int_equal(ckpt_write(join(sub, dir, "missing/dir"), CONFIG, &b, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "cannot write"));
    ckpt_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_damaged_refused, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_config_mismatch_refused, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_missing, make_tmpdir, remove_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
