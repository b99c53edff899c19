/* Buffers freed by the teardown, and small file helpers for tests: see tfiles.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tfiles.h"

/* ---- buffers freed by the teardown ------------------------------------------------------- */

#define MAX_LIVE 512
#define MAX_DOCS 16
static void *g_live[MAX_LIVE];
static cJSON *g_docs[MAX_DOCS];

/* The slot is found before realloc, so a full table leaks nothing. */
void *t_realloc(void *old, size_t n)
{
    int slot = -1;
    for (int i = 0; i < MAX_LIVE; i++)
        if (old ? g_live[i] == old : !g_live[i]) { slot = i; break; }
    if (slot < 0)
        fail_msg("%s: more than %d live allocations", program_invocation_short_name, MAX_LIVE);
    void *p = realloc(old, n);
    assert_non_null(p);
    g_live[slot] = p;
    return p;
}

void *t_alloc(size_t n) { return t_realloc(NULL, n); }

void t_free(void *p)
{
    if (!p) return;
    for (int i = 0; i < MAX_LIVE; i++)
        if (g_live[i] == p) g_live[i] = NULL;
    free(p);
}

cJSON *t_json(cJSON *doc)
{
    for (int i = 0; i < MAX_DOCS; i++)
        if (!g_docs[i]) return g_docs[i] = doc;
    cJSON_Delete(doc);
    fail_msg("%s: too many JSON documents", program_invocation_short_name);
    return NULL;
}

void t_json_delete(cJSON *doc)
{
    for (int i = 0; i < MAX_DOCS; i++)
        if (g_docs[i] == doc) g_docs[i] = NULL;
    cJSON_Delete(doc);
}

int free_all(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_LIVE; i++) {
        free(g_live[i]);
        g_live[i] = NULL;
    }
    for (int i = 0; i < MAX_DOCS; i++) {
        cJSON_Delete(g_docs[i]);
        g_docs[i] = NULL;
    }
    return 0;
}

/* ---- files ------------------------------------------------------------------------------- */

char *join(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, PATHMAX, "%s/%s", dir, name);
    if (n < 0 || n >= PATHMAX) fail_msg("path too long: %s/%s", dir, name);
    return buf;
}

static void append(char **buf, size_t *len, size_t *cap, const char *src, size_t n)
{
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap) *cap = *cap ? 2 * *cap : 4096;
        *buf = t_realloc(*buf, *cap);
    }
    memcpy(*buf + *len, src, n);
    *len += n;
    (*buf)[*len] = '\0';
}

char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    char chunk[8192];
    append(&buf, &n, &cap, "", 0);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) append(&buf, &n, &cap, chunk, got);
    fclose(f);
    if (len) *len = n;
    return buf;
}

char *must_slurp(const char *path, size_t *len)
{
    char *s = slurp(path, len);
    if (!s) fail_msg("%s: cannot read: %s", path, strerror(errno));
    return s;
}

int files_equal(const char *a, const char *b)
{
    size_t la, lb;
    char *ta = must_slurp(a, &la), *tb = must_slurp(b, &lb);
    int eq = la == lb && memcmp(ta, tb, la) == 0;
    t_free(ta);
    t_free(tb);
    return eq;
}

cJSON *load_json_file(const char *path)
{
    char *text = must_slurp(path, NULL);
    cJSON *doc = cJSON_Parse(text);
    t_free(text);
    if (!doc) fail_msg("%s: not valid JSON", path);
    return t_json(doc);
}

void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) fail_msg("%s: cannot write: %s", path, strerror(errno));
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* ---- scratch directories ----------------------------------------------------------------- */

int scratch_dir(char *buf, const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, PATHMAX, "%s/gt_%s_XXXXXX", base && *base ? base : "/tmp", tag);
    if (!mkdtemp(buf)) {
        fprintf(stderr, "%s: mkdtemp %s: %s\n", program_invocation_short_name, buf,
                strerror(errno));
        return -1;
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

int rm_tree(const char *path)
{
    return exists(path) ? nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) : 0;
}
