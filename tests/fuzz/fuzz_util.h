/* Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c): a private scratch
 * directory per process (removed at exit), files written from the fuzzer's bytes, and
 * splitting an input into parts at a marker. Harnesses call the library exactly as the
 * CLI does and turn a broken invariant into a crash (__builtin_trap). */
#ifndef GT_FUZZ_UTIL_H
#define GT_FUZZ_UTIL_H

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_PATH 4096

static char fz_dir[FZ_PATH];

static int fz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Empties a directory tree (keeps nothing; the caller recreates what it needs). */
static void fz_rmtree(const char *path) { nftw(path, fz_rm, 16, FTW_DEPTH | FTW_PHYS); }

static void fz_cleanup(void)
{
    if (fz_dir[0]) fz_rmtree(fz_dir);
}

/* The scratch directory, made on first use under $TMPDIR (or /tmp). */
static const char *fz_scratch(void)
{
    if (!fz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/gtfuzz.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fz_cleanup);
    }
    return fz_dir;
}

/* fz_scratch()/name, into buf. */
static char *fz_path(char *buf, const char *name)
{
    snprintf(buf, FZ_PATH, "%s/%s", fz_scratch(), name);
    return buf;
}

static void fz_write(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        abort();
    }
    if ((len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* Splits data at each occurrence of marker into at most max parts; returns the count.
 * Parts that are not present are empty (len 0) with ptr at the end of data. */
static int fz_split(const uint8_t *data, size_t len, const char *marker, const uint8_t **part,
                    size_t *plen, int max)
{
    size_t ml = strlen(marker);
    int n = 0;
    const uint8_t *p = data, *end = data + len;
    while (n < max - 1) {
        const uint8_t *m = memmem(p, (size_t)(end - p), marker, ml);
        if (!m) break;
        part[n] = p;
        plen[n++] = (size_t)(m - p);
        p = m + ml;
    }
    part[n] = p;
    plen[n++] = (size_t)(end - p);
    for (int i = n; i < max; i++) part[i] = end, plen[i] = 0;
    return n;
}

/* A copy of data with a NUL at the end (a C string for the parsers). */
static char *fz_strndup(const uint8_t *data, size_t len)
{
    char *s = malloc(len + 1);
    if (!s) abort();
    memcpy(s, data, len);
    s[len] = 0;
    return s;
}

#define FZ_MAX_ARGS 64

/* Splits text (len bytes, NUL-terminated by fz_strndup) in place at NUL bytes and newlines
 * into argv[1..] after argv[0] = cmd; argv needs FZ_MAX_ARGS + 2 entries. Returns argc. */
static int fz_argv(char *text, size_t len, const char *cmd, char **argv)
{
    int argc = 0;
    argv[argc++] = (char *)cmd;
    char *p = text, *end = text + len;
    while (p <= end && argc < FZ_MAX_ARGS + 1) {
        char *q = p;
        while (q < end && *q != '\0' && *q != '\n') q++;
        *q = '\0';
        argv[argc++] = p;
        p = q + 1;
    }
    argv[argc] = NULL;
    return argc;
}

#define FZ_CHECK(cond)                                                                    \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,       \
                    __LINE__);                                                            \
            __builtin_trap();                                                             \
        }                                                                                 \
    } while (0)

/* Every library error must be a non-empty, single-line message with a known code. */
#define FZ_CHECK_ERR(rc, e)                                                               \
    do {                                                                                  \
        FZ_CHECK((rc) == GT_EINPUT || (rc) == GT_ESYS);                                   \
        FZ_CHECK((e).code == (rc));                                                       \
        FZ_CHECK((e).msg[0] != 0);                                                        \
        FZ_CHECK(strchr((e).msg, '\n') == NULL);                                          \
    } while (0)

#endif
