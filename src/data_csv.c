/* CSV data sets: numeric feature columns and an integer class label in the last column,
 * an optional header line. Every rejection names the file, the line and the field, and
 * says what would have been accepted. */
#include "data_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the whole file: data sets that fit in the double matrix fit as text too, and
 * having every line at hand makes the two passes (count rows, then parse) trivial. */
static int read_all(const char *path, char **out, size_t *len, GtErr *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gt_fail(e, GT_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        (void)fclose(f); /* read only: nothing to lose */
        return gt_fail(e, GT_ESYS, "out of memory loading %s", path);
    }
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = cap > SIZE_MAX / 2 - 1 ? NULL : realloc(buf, 2 * cap + 1);
        if (!nb) {
            free(buf);
            (void)fclose(f); /* read only: nothing to lose */
            return gt_fail(e, GT_ESYS, "out of memory loading %s", path);
        }
        buf = nb;
        cap *= 2;
    }
    if (ferror(f)) {
        int err = errno;
        free(buf);
        (void)fclose(f); /* read only: nothing to lose */
        return gt_fail(e, GT_EINPUT, "%s: cannot read: %s", path, strerror(err));
    }
    (void)fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return GT_OK;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* Trims spaces and tabs in place; returns the start of the field. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* strtod over the whole field. NaN and Inf parse (so a header is not guessed from them)
 * and are rejected later with their own message. */
static int parse_num(const char *s, double *v)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0';
}

static size_t count_fields(const char *line)
{
    size_t n = 1;
    for (; *line; line++)
        n += *line == ',';
    return n;
}

/* Splits a NUL-terminated line at the commas in place; fields[] has count_fields slots. */
static void split_fields(char *line, char **fields)
{
    size_t k = 0;
    fields[k++] = line;
    for (char *p = line; *p; p++)
        if (*p == ',') {
            *p = '\0';
            fields[k++] = p + 1;
        }
}

int csv_load(const char *path, size_t want_fields, const char *like_name, int class_limit,
             Dataset *d, GtErr *e)
{
    char *buf = NULL, **fields = NULL;
    size_t len = 0;
    int rc = read_all(path, &buf, &len, e);
    if (rc)
        return rc;

    /* Cut the text into lines (\n or \r\n); trailing blank lines are dropped, a blank
     * line anywhere else is an error because it usually means a broken export. */
    size_t nlines = 0;
    for (size_t i = 0; i < len; i++)
        nlines += buf[i] == '\n';
    if (len > 0 && buf[len - 1] != '\n')
        nlines++;
    char **lines = malloc((nlines ? nlines : 1) * sizeof *lines);
    if (!lines) {
        free(buf);
        return gt_fail(e, GT_ESYS, "out of memory loading %s", path);
    }
    size_t k = 0;
    for (char *p = buf; p < buf + len;) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        char *end = nl ? nl : buf + len;
        *end = '\0';
        if (end > p && end[-1] == '\r')
            end[-1] = '\0';
        lines[k++] = p;
        p = end + 1;
    }
    while (nlines > 0 && is_blank(lines[nlines - 1]))
        nlines--;

    if (nlines == 0) {
        rc = gt_fail(e, GT_EINPUT,
                     "%s: empty data set (expected lines of numbers, the last column an "
                     "integer class label)", path);
        goto done;
    }

    size_t ncols = count_fields(lines[0]);
    if (want_fields > 0 && ncols != want_fields) {
        rc = gt_fail(e, GT_EINPUT, "%s:1: %zu fields, expected %zu like %s", path, ncols,
                     want_fields, like_name);
        goto done;
    }
    if (ncols < 2) {
        rc = gt_fail(e, GT_EINPUT,
                     "%s:1: 1 field, expected at least 2 (features, then the class label)",
                     path);
        goto done;
    }
    fields = malloc(ncols * sizeof *fields);
    if (!fields) {
        rc = gt_fail(e, GT_ESYS, "out of memory loading %s", path);
        goto done;
    }

    /* Header: the first line, if any of its fields is not a number. */
    size_t first = 0;
    {
        char *copy = strdup(lines[0]);
        if (!copy) {
            rc = gt_fail(e, GT_ESYS, "out of memory loading %s", path);
            goto done;
        }
        split_fields(copy, fields);
        double v;
        for (size_t j = 0; j < ncols; j++)
            if (!parse_num(trim(fields[j]), &v))
                first = 1;
        free(copy);
    }
    if (first >= nlines) {
        rc = gt_fail(e, GT_EINPUT, "%s: empty data set (a header line and no data rows)",
                     path);
        goto done;
    }

    size_t dim = ncols - 1;
    rc = ds_alloc(d, nlines - first, dim, path, e);
    if (rc)
        goto done;

    int32_t maxlab = 0;
    for (size_t i = first; i < nlines; i++) {
        size_t lineno = i + 1, row = i - first;
        if (is_blank(lines[i])) {
            rc = gt_fail(e, GT_EINPUT,
                         "%s:%zu: empty line (empty lines are allowed only at the end)",
                         path, lineno);
            goto done;
        }
        size_t nf = count_fields(lines[i]);
        if (nf != ncols) {
            rc = gt_fail(e, GT_EINPUT, "%s:%zu: %zu fields, expected %zu like line 1", path,
                         lineno, nf, ncols);
            goto done;
        }
        split_fields(lines[i], fields);
        for (size_t j = 0; j < dim; j++) {
            const char *f = trim(fields[j]);
            double v;
            if (!*f) {
                rc = gt_fail(e, GT_EINPUT, "%s:%zu: field %zu is empty, expected a number",
                             path, lineno, j + 1);
                goto done;
            }
            if (!parse_num(f, &v)) {
                rc = gt_fail(e, GT_EINPUT, "%s:%zu: field %zu: '%.40s' is not a number", path,
                             lineno, j + 1, f);
                goto done;
            }
            if (!isfinite(v)) {
                rc = gt_fail(e, GT_EINPUT,
                             "%s:%zu: field %zu: '%.40s' is not a finite number (NaN and "
                             "Inf are not allowed)", path, lineno, j + 1, f);
                goto done;
            }
            d->x[row * dim + j] = v;
        }
        const char *f = trim(fields[dim]);
        double v;
        if (!parse_num(f, &v) || !isfinite(v) || v < 0 || v != floor(v)) {
            rc = gt_fail(e, GT_EINPUT,
                         "%s:%zu: field %zu: label '%.40s' is not a non-negative integer",
                         path, lineno, ncols, f);
            goto done;
        }
        if (class_limit > 0 && v >= class_limit) {
            rc = gt_fail(e, GT_EINPUT,
                         "%s:%zu: label %.0f is out of range: with --classes %d labels are "
                         "0..%d", path, lineno, v, class_limit, class_limit - 1);
            goto done;
        }
        if (class_limit == 0 && v >= DATA_MAX_CLASSES) {
            rc = gt_fail(e, GT_EINPUT,
                         "%s:%zu: label %.0f is too large (at most %d unless --classes is "
                         "given)", path, lineno, v, DATA_MAX_CLASSES - 1);
            goto done;
        }
        d->y[row] = (int32_t)v;
        if (d->y[row] > maxlab)
            maxlab = d->y[row];
    }
    d->classes = maxlab + 1;

done:
    if (rc)
        dataset_free(d);
    free(fields);
    free(lines);
    free(buf);
    return rc;
}
