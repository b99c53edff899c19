/* CSV read back by header name (csvtab.h): the file is read into one buffer and split in
 * place, so a table is three allocations however many cells it has. */
#include "csvtab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits the line at *p into fields (in place, quotes removed) up to the line's end;
 * stores up to max of them in out (NULL: count only) and returns how many there were.
 * *p moves past the line's newline. */
static size_t split_line(char **p, char **out, size_t max)
{
    char *s = *p, *w = s;
    size_t n = 0;
    char *field = w;
    int quoted = 0;
    for (;; s++) {
        char c = *s;
        if (quoted) {
            if (c == '"' && s[1] == '"') *w++ = '"', s++;
            else if (c == '"') quoted = 0;
            else if (c == '\0') break;
            else *w++ = c;
            continue;
        }
        if (c == '"') { quoted = 1; continue; }
        if (c == '\r') continue;
        if (c == ',' || c == '\n' || c == '\0') {
            *w++ = '\0';
            if (out && n < max) out[n] = field;
            n++;
            field = w;
            if (c == ',') continue;
            *p = c == '\n' ? s + 1 : s;
            return n;
        }
        *w++ = c;
    }
    *w = '\0';
    if (out && n < max) out[n] = field;
    *p = s;
    return n + 1;
}

int csvtab_read(const char *path, CsvTab *t, GtErr *e)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) return gt_fail(e, GT_EINPUT, "%s: %s", path, strerror(errno));
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
        (void)fclose(f); /* read only */
        return gt_fail(e, GT_EINPUT, "%s: not a regular file", path);
    }
    t->buf = malloc((size_t)len + 1);
    if (!t->buf) {
        (void)fclose(f);
        return gt_fail(e, GT_ESYS, "%s: out of memory (%ld bytes)", path, len);
    }
    size_t got = fread(t->buf, 1, (size_t)len, f);
    (void)fclose(f); /* read only */
    if (got != (size_t)len) {
        csvtab_free(t);
        return gt_fail(e, GT_EINPUT, "%s: read error", path);
    }
    t->buf[len] = '\0';
    size_t lines = 0;
    for (long i = 0; i < len; i++) lines += t->buf[i] == '\n';
    if (len == 0) {
        csvtab_free(t);
        return gt_fail(e, GT_EINPUT, "%s: empty file (expected a header line)", path);
    }
    /* the header: counted on a copy of the pointer, split for real below */
    char *p = t->buf;
    size_t cols = 0;
    for (const char *s = p; *s && *s != '\n'; s++) cols += *s == ',';
    cols++;
    t->names = malloc(cols * sizeof *t->names);
    t->cell = malloc(((lines + 1) * cols + 1) * sizeof *t->cell);
    if (!t->names || !t->cell) {
        csvtab_free(t);
        return gt_fail(e, GT_ESYS, "%s: out of memory", path);
    }
    t->cols = split_line(&p, t->names, cols);
    if (t->cols != cols) { /* a quoted comma in the header */
        csvtab_free(t);
        return gt_fail(e, GT_EINPUT, "%s:1: quoted header fields are not supported", path);
    }
    for (size_t line = 2; *p; line++) {
        if (*p == '\n' || (*p == '\r' && p[1] == '\n')) { /* a blank line: none in our traces */
            csvtab_free(t);
            return gt_fail(e, GT_EINPUT, "%s:%zu: blank line (expected %zu fields)", path, line, cols);
        }
        size_t n = split_line(&p, t->cell + t->rows * cols, cols);
        if (n != cols) {
            csvtab_free(t);
            return gt_fail(e, GT_EINPUT, "%s:%zu: %zu field%s, the header has %zu", path, line, n,
                           n == 1 ? "" : "s", cols);
        }
        t->rows++;
    }
    return GT_OK;
}

int csvtab_col(const CsvTab *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (strcmp(t->names[c], name) == 0) return (int)c;
    return -1;
}

double csvtab_num(const CsvTab *t, size_t r, int c)
{
    const char *s = csvtab_str(t, r, c);
    char *end;
    double v = strtod(s, &end);
    return end == s || *end ? NAN : v;
}

void csvtab_free(CsvTab *t)
{
    free(t->buf);
    free(t->names);
    free(t->cell);
    memset(t, 0, sizeof *t);
}
