/* Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c): a private scratch
 * directory per process (removed at exit), files written from the fuzzer's bytes, an input
 * split into parts at a marker or into a command's argv and parsed. Harnesses call the
 * library exactly as the CLI does and turn a broken invariant into a crash (__builtin_trap). */
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

#include "common.h"

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

/* The argument harnesses' input: at most 8192 bytes (else -1: skip it) as argv[0] = cmd and
 * argv[1..] split at NUL bytes and newlines (fz_argv); argv needs FZ_MAX_ARGS + 2 entries.
 * *text holds the strings; the caller frees it. */
static int fz_args(const uint8_t *data, size_t len, const char *cmd, char **argv, char **text)
{
    if (len > 8192) return -1;
    *text = fz_strndup(data, len);
    return fz_argv(*text, len, cmd, argv);
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

/* n values v[0..n) of a --widths/--depths style list, 1 <= n and each in [1, max]. */
#define FZ_CHECK_LIST(v, n, max)                                                          \
    do {                                                                                  \
        FZ_CHECK((n) >= 1);                                                               \
        for (int fz_i = 0; fz_i < (n); fz_i++)                                            \
            FZ_CHECK((v)[fz_i] >= 1 && (v)[fz_i] <= (max));                               \
    } while (0)

/* A subcommand's argument parser as a harness calls it: spec filled from argv. */
typedef int (*FzParse)(void *spec, int argc, char **argv, GtErr *e);

/* The input as the arguments of cmd, parsed into spec (which must keep no pointer into
 * argv), every error checked by FZ_CHECK_ERR. Returns the parser's result (0: accepted, so
 * the caller checks spec), or -1 for an input too large to try. */
static int fz_parse_args(const uint8_t *data, size_t len, const char *cmd, FzParse parse,
                         void *spec)
{
    char *argv[FZ_MAX_ARGS + 2], *text;
    int argc = fz_args(data, len, cmd, argv, &text);
    if (argc < 0) return -1;
    GtErr e = {0};
    int rc = parse(spec, argc, argv, &e);
    if (rc > 0) FZ_CHECK_ERR(rc, e);
    free(text);
    return rc;
}

#endif
