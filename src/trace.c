/* Trace writers (DESIGN.md §4): CSV, NumPy .npy and JSON. Each file is written under a hidden
 * temporary name beside its final one and renamed into place only when complete, so plots and
 * resumed sweeps never see a half-written file under a final name. */
#include "trace.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define CSV_BUFSIZE ((size_t)1 << 20)

/* errno of a failed stdio call; EIO if the call did not say (a stale 0 must not hide it). */
static int io_errno(void) { return errno ? errno : EIO; }

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    char *s = malloc((size_t)len + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return s;
}

int trace_mkdir(const char *dir, GtErr *e)
{
    if (!dir || !*dir)
        return gt_fail(e, GT_EINPUT, "output directory: empty path");
    char *p = strdup(dir);
    if (!p)
        return gt_fail(e, GT_ESYS, "%s: out of memory", dir);
    /* Create each prefix in turn; starting at p + 1 skips the root of an absolute path. */
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0) {
            int err = errno;
            struct stat st;
            if (err != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                if (err == EEXIST) /* a file is in the way; "File exists" would mislead */
                    err = ENOTDIR;
                int rc = strcmp(p, dir) == 0 || saved == '\0'
                             ? gt_fail(e, GT_EINPUT, "%s: cannot create directory: %s", dir,
                                       strerror(err))
                             : gt_fail(e, GT_EINPUT, "%s: cannot create directory %s: %s", dir,
                                       p, strerror(err));
                free(p);
                return rc;
            }
        }
        *s = saved;
        if (saved == '\0')
            break;
    }
    free(p);
    return GT_OK;
}

/* DIR/NAME and its temporary twin DIR/.NAME.tmp.<pid> (the dot goes on the base name, so a
 * NAME with a directory part still gets its temporary file beside the final one). The pid
 * keeps concurrent sweep workers apart; tests rely on this exact spelling. */
static int tmp_open(const char *dir, const char *name, char **path, char **tmp, FILE **f,
                    GtErr *e)
{
    size_t dl = strlen(dir);
    const char *sep = (dl == 0 || dir[dl - 1] == '/') ? "" : "/";
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    *f = NULL;
    *path = str_printf("%s%s%s", dir, sep, name);
    *tmp = str_printf("%s%s%.*s.%s.tmp.%ld", dir, sep, (int)(base - name), name, base,
                      (long)getpid());
    if (!*path || !*tmp) {
        free(*path);
        free(*tmp);
        *path = *tmp = NULL;
        return gt_fail(e, GT_ESYS, "%s%s%s: out of memory", dir, sep, name);
    }
    *f = fopen(*tmp, "w");
    if (!*f) {
        int rc = gt_fail(e, GT_EINPUT, "%s: cannot open for writing: %s", *path,
                         strerror(errno));
        free(*path);
        free(*tmp);
        *path = *tmp = NULL;
        return rc;
    }
    return GT_OK;
}

/* Flushes and closes f; on a write error (err, or found now) the temporary file goes, so
 * nothing half-written is left behind under any name. */
static int tmp_close(FILE *f, const char *path, const char *tmp, int err, GtErr *e)
{
    errno = 0;
    if (fflush(f) != 0 && !err)
        err = io_errno();
    if (ferror(f) && !err)
        err = EIO;
    errno = 0;
    if (fclose(f) != 0 && !err)
        err = io_errno();
    if (err) {
        unlink(tmp);
        return gt_fail(e, GT_EINPUT, "%s: write failed: %s", path, strerror(err));
    }
    return GT_OK;
}

static int tmp_rename(const char *path, const char *tmp, GtErr *e)
{
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return gt_fail(e, GT_EINPUT, "%s: write failed: %s", path, strerror(err));
    }
    return GT_OK;
}

static int tmp_finish(FILE *f, const char *path, const char *tmp, int err, GtErr *e)
{
    int rc = tmp_close(f, path, tmp, err, e);
    return rc ? rc : tmp_rename(path, tmp, e);
}

/* ---- CSV ----------------------------------------------------------------------------- */

static void csv_release(CsvFile *c);

/* Bytes of a live file's current buffer: csv_end_row flushes before the 1 MiB buffer can
 * fill, so stdio never writes part of a row on its own (a row is far below half of it). */
static void csv_count(CsvFile *c, long n)
{
    if (n > 0) c->pending += (size_t)n;
}

static void csv_check(CsvFile *c, int ok)
{
    if (!ok && !c->failed)
        c->failed = io_errno();
}

static void csv_sep(CsvFile *c)
{
    errno = 0;
    if (c->field++ > 0) {
        csv_check(c, putc(',', c->f) != EOF);
        csv_count(c, 1);
    }
}

static void csv_text(CsvFile *c, const char *s)
{
    if (!c->f)
        return;
    csv_sep(c);
    csv_check(c, fputs(s, c->f) != EOF);
    csv_count(c, (long)strlen(s));
}

/* A missing big buffer only costs speed, so failing to get one is not an error. */
static void csv_buffer(CsvFile *c)
{
    c->buf = malloc(CSV_BUFSIZE);
    if (c->buf && setvbuf(c->f, c->buf, _IOFBF, CSV_BUFSIZE) != 0) {
        free(c->buf);
        c->buf = NULL;
    }
}

static void csv_header(CsvFile *c, const char *header)
{
    errno = 0;
    csv_check(c, fputs(header, c->f) != EOF && putc('\n', c->f) != EOF);
    csv_count(c, (long)strlen(header) + 1);
}

int csv_open(CsvFile *c, const char *dir, const char *name, const char *header, int digits,
             GtErr *e)
{
    memset(c, 0, sizeof *c);
    c->digits = digits;
    int rc = tmp_open(dir, name, &c->path, &c->tmp, &c->f, e);
    if (rc)
        return rc;
    csv_buffer(c);
    csv_header(c, header);
    return GT_OK;
}

/* DIR/NAME and DIR/NAME.partial */
static int live_names(CsvFile *c, const char *dir, const char *name, GtErr *e)
{
    c->path = str_printf("%s/%s", dir, name);
    c->tmp = str_printf("%s/%s" PARTIAL_SUFFIX, dir, name);
    if (c->path && c->tmp)
        return GT_OK;
    csv_release(c);
    return gt_fail(e, GT_ESYS, "%s/%s: out of memory", dir, name);
}

int csv_open_live(CsvFile *c, const char *dir, const char *name, const char *header,
                  int digits, GtErr *e)
{
    memset(c, 0, sizeof *c);
    c->digits = digits;
    int rc = live_names(c, dir, name, e);
    if (rc)
        return rc;
    c->f = fopen(c->tmp, "w"); /* a stale .partial of a killed run is started over */
    if (!c->f) {
        rc = gt_fail(e, GT_EINPUT, "%s: cannot open for writing: %s", c->tmp, strerror(errno));
        csv_release(c);
        return rc;
    }
    csv_buffer(c);
    csv_header(c, header);
    return GT_OK;
}

/* Copies the first `at` bytes of src to the new file f. */
static int copy_prefix(const char *src, FILE *f, long long at)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return errno;
    char buf[65536];
    int err = 0;
    while (at > 0 && !err) {
        size_t want = at < (long long)sizeof buf ? (size_t)at : sizeof buf;
        size_t got = fread(buf, 1, want, in);
        if (got == 0)
            err = ferror(in) ? EIO : ENODATA;
        else if (fwrite(buf, 1, got, f) != got)
            err = io_errno();
        at -= (long long)got;
    }
    (void)fclose(in); /* read only */
    return err;
}

int csv_resume_live(CsvFile *c, const char *dir, const char *name, long long at, int digits,
                    GtErr *e)
{
    memset(c, 0, sizeof *c);
    c->digits = digits;
    int rc = live_names(c, dir, name, e);
    if (rc)
        return rc;
    struct stat st;
    int err = 0;
    const char *from = c->tmp;
    if (stat(c->tmp, &st) == 0) { /* a killed run's: cut back to the checkpoint */
        if (st.st_size < at)
            err = ENODATA;
        else if (!(c->f = fopen(c->tmp, "r+")) || ftruncate(fileno(c->f), (off_t)at) != 0 ||
                 fseeko(c->f, 0, SEEK_END) != 0)
            err = errno ? errno : EIO;
    } else if (stat(c->path, &st) == 0) { /* an interrupted run's, under its final name */
        from = c->path;
        if (st.st_size < at)
            err = ENODATA;
        else if (!(c->f = fopen(c->tmp, "w")))
            err = errno;
        else
            err = copy_prefix(c->path, c->f, at);
    } else {
        err = ENOENT;
    }
    if (err) {
        rc = err == ENODATA
                 ? gt_fail(e, GT_EINPUT, "%s: shorter than its checkpoint says (%lld bytes); "
                           "it cannot be resumed: run again with --force", from, at)
                 : gt_fail(e, GT_EINPUT, "%s: cannot resume it: %s; run again with --force",
                           from, strerror(err));
        if (c->f)
            (void)fclose(c->f);
        csv_release(c);
        return rc;
    }
    csv_buffer(c);
    return GT_OK;
}

void csv_int(CsvFile *c, long long v)
{
    if (!c->f)
        return;
    csv_sep(c);
    errno = 0;
    int n = fprintf(c->f, "%lld", v);
    csv_check(c, n >= 0);
    csv_count(c, n);
}

void csv_str(CsvFile *c, const char *s)
{
    if (!c->f)
        return;
    csv_sep(c);
    errno = 0;
    csv_check(c, fputs(s, c->f) >= 0);
    csv_count(c, (long)strlen(s));
}

void csv_quoted(CsvFile *c, const char *s)
{
    if (!c->f)
        return;
    csv_sep(c);
    errno = 0;
    int ok = fputc('"', c->f) != EOF;
    for (; *s && ok; s++) {
        ok = (*s != '"' || fputc('"', c->f) != EOF) && fputc(*s, c->f) != EOF;
        csv_count(c, *s == '"' ? 2 : 1);
    }
    csv_check(c, ok && fputc('"', c->f) != EOF);
    csv_count(c, 2);
}

void csv_real(CsvFile *c, double v)
{
    if (!c->f)
        return;
    if (!isfinite(v)) { /* printf may write "-nan"; pandas and R read only these three */
        csv_text(c, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    csv_sep(c);
    errno = 0;
    int n = fprintf(c->f, "%.*g", c->digits, v);
    csv_check(c, n >= 0);
    csv_count(c, n);
}

void csv_xnorm(CsvFile *c, XNorm v)
{
    char small[64];
    int len = xnorm_format(small, sizeof small, v, c->digits);
    if (len < 0) {
        csv_check(c, 0);
        return;
    }
    if ((size_t)len < sizeof small) {
        csv_text(c, small);
        return;
    }
    char *big = malloc((size_t)len + 1); /* only for absurd digit counts */
    if (!big) {
        if (!c->failed)
            c->failed = ENOMEM;
        return;
    }
    xnorm_format(big, (size_t)len + 1, v, c->digits);
    csv_text(c, big);
    free(big);
}

void csv_empty(CsvFile *c)
{
    if (!c->f)
        return;
    csv_sep(c);
}

void csv_end_row(CsvFile *c)
{
    if (!c->f)
        return;
    errno = 0;
    csv_check(c, putc('\n', c->f) != EOF);
    c->field = 0;
    if (++c->pending >= CSV_BUFSIZE / 2) csv_flush(c);
}

void csv_flush(CsvFile *c)
{
    if (!c->f) return;
    errno = 0;
    csv_check(c, fflush(c->f) == 0);
    c->pending = 0;
}

long long csv_offset(CsvFile *c)
{
    if (!c->f) return 0;
    csv_flush(c);
    errno = 0;
    off_t at = ftello(c->f);
    csv_check(c, at >= 0);
    return at < 0 ? 0 : (long long)at;
}

int csv_sync(CsvFile *c)
{
    if (!c->f) return 0;
    csv_flush(c);
    errno = 0;
    csv_check(c, fsync(fileno(c->f)) == 0);
    return c->failed;
}

static void csv_release(CsvFile *c)
{
    free(c->buf);
    free(c->path);
    free(c->tmp);
    c->buf = c->path = c->tmp = NULL;
    c->f = NULL;
    c->field = 0;
    c->failed = 0;
    c->pending = 0;
}

int csv_finish(CsvFile *c, GtErr *e)
{
    if (!c->f)
        return gt_fail(e, GT_ESYS, "csv_finish: %s is not open", c->path ? c->path : "file");
    int rc = tmp_close(c->f, c->path, c->tmp, c->failed, e);
    c->f = NULL;
    free(c->buf); /* the buffer must outlive fclose, which flushes from it */
    c->buf = NULL;
    if (rc) csv_release(c);
    return rc;
}

int csv_commit(CsvFile *c, GtErr *e)
{
    if (c->f || !c->tmp)
        return gt_fail(e, GT_ESYS, "csv_commit: %s is not finished", c->path ? c->path : "file");
    int rc = tmp_rename(c->path, c->tmp, e);
    csv_release(c);
    return rc;
}

int csv_close(CsvFile *c, GtErr *e)
{
    int rc = csv_finish(c, e);
    return rc ? rc : csv_commit(c, e);
}

void csv_detach(CsvFile *c)
{
    if (c->f) {
        csv_flush(c);
        (void)fclose(c->f); /* the checkpoint's offsets say which bytes count */
    }
    free(c->buf); /* after fclose, which flushes from it */
    c->buf = NULL;
    csv_release(c);
}

void csv_abort(CsvFile *c)
{
    if (c->f)
        (void)fclose(c->f); /* the file is being thrown away */
    if (c->tmp)
        unlink(c->tmp);
    csv_release(c);
}

int csv_failed(const CsvFile *c, GtErr *e)
{
    if (!c->failed)
        return GT_OK;
    return gt_fail(e, GT_EINPUT, "%s: write failed: %s", c->path, strerror(c->failed));
}

void trace_clean_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        /* our temporary names: .NAME.tmp.PID */
        const char *t = strstr(ent->d_name, ".tmp.");
        if (ent->d_name[0] != '.' || !t || t == ent->d_name || !t[5] ||
            strspn(t + 5, "0123456789") != strlen(t + 5))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (unlink(path) != 0 && errno == EISDIR) /* a run's staged weights */
            trace_rmtree(path);
    }
    closedir(d);
}

void trace_clean_partial(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    size_t sl = strlen(PARTIAL_SUFFIX);
    while ((ent = readdir(d))) {
        size_t len = strlen(ent->d_name);
        if (len <= sl || strcmp(ent->d_name + len - sl, PARTIAL_SUFFIX) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        trace_rmtree(path);
    }
    closedir(d);
}

static const char *g_link_src, *g_link_dst; /* trace_link_tree's, for its nftw callback */
static int g_link_err;

static int link_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)ftw;
    char to[4096];
    snprintf(to, sizeof to, "%s%s", g_link_dst, path + strlen(g_link_src));
    int ok = flag == FTW_D ? mkdir(to, 0777) == 0 || errno == EEXIST
             : flag == FTW_F ? link(path, to) == 0 || errno == EEXIST : 1;
    if (!ok) g_link_err = errno;
    return !ok;
}

int trace_link_tree(const char *src, const char *dst, GtErr *e)
{
    g_link_src = src;
    g_link_dst = dst;
    g_link_err = 0;
    if (nftw(src, link_entry, 16, FTW_PHYS) != 0)
        return gt_fail(e, GT_EINPUT, "%s: cannot link %s into it: %s", dst, src,
                       strerror(g_link_err ? g_link_err : errno));
    return GT_OK;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int trace_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- .npy ---------------------------------------------------------------------------- */

int npy_write(const char *dir, const char *name, const void *data, int elem, size_t rows,
              size_t cols, GtErr *e)
{
    if (elem != 4 && elem != 8)
        return gt_fail(e, GT_ESYS, "%s/%s: .npy element size %d is not 4 or 8", dir, name,
                       elem);
    /* The header says '<' (little-endian) and the data are written as they lie in memory. */
    const uint16_t probe = 1;
    if (*(const unsigned char *)&probe != 1)
        return gt_fail(e, GT_ESYS, "%s/%s: .npy writer needs a little-endian host", dir, name);
    size_t count = rows ? rows * cols : cols;
    if (rows && cols && (cols > SIZE_MAX / rows || count > SIZE_MAX / (size_t)elem))
        return gt_fail(e, GT_ESYS, "%s/%s: array too large", dir, name);

    char hdr[256];
    int len = rows ? snprintf(hdr, sizeof hdr,
                              "{'descr': '<f%d', 'fortran_order': False, 'shape': (%zu, %zu), }",
                              elem, rows, cols)
                   : snprintf(hdr, sizeof hdr,
                              "{'descr': '<f%d', 'fortran_order': False, 'shape': (%zu,), }",
                              elem, cols);
    /* Pad with spaces and end in '\n' so the data start 64-byte aligned, as numpy writes. */
    size_t total = (10 + (size_t)len + 1 + 63) / 64 * 64;
    size_t hlen = total - 10;
    memset(hdr + len, ' ', hlen - 1 - (size_t)len);
    hdr[hlen - 1] = '\n';
    const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                   (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};

    char *path, *tmp;
    FILE *f;
    int rc = tmp_open(dir, name, &path, &tmp, &f, e);
    if (rc)
        return rc;
    int err = 0;
    errno = 0;
    if (fwrite(pre, 1, sizeof pre, f) != sizeof pre || fwrite(hdr, 1, hlen, f) != hlen ||
        (count && fwrite(data, (size_t)elem, count, f) != count))
        err = io_errno();
    rc = tmp_finish(f, path, tmp, err, e);
    free(path);
    free(tmp);
    return rc;
}

/* ---- JSON ---------------------------------------------------------------------------- */

int json_stage(CsvFile *c, const char *dir, const char *name, const struct cJSON *doc,
               GtErr *e)
{
    memset(c, 0, sizeof *c);
    char *text = cJSON_Print(doc);
    if (!text)
        return gt_fail(e, GT_ESYS, "%s/%s: out of memory printing JSON", dir, name);
    int rc = tmp_open(dir, name, &c->path, &c->tmp, &c->f, e);
    if (rc) {
        cJSON_free(text);
        return rc;
    }
    int err = 0;
    errno = 0;
    if (fputs(text, c->f) == EOF || putc('\n', c->f) == EOF)
        err = io_errno();
    cJSON_free(text);
    rc = tmp_close(c->f, c->path, c->tmp, err, e); /* removes the temporary file on error */
    c->f = NULL;
    if (rc)
        csv_release(c);
    return rc;
}

int json_write(const char *dir, const char *name, const struct cJSON *doc, GtErr *e)
{
    CsvFile c;
    int rc = json_stage(&c, dir, name, doc, e);
    return rc ? rc : csv_commit(&c, e);
}

cJSON *json_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    /* a directory or a pipe in the way has no usable length: treated as unreadable */
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *buf = len >= 0 && len < (1L << 30) && fseek(f, 0, SEEK_SET) == 0
                    ? malloc((size_t)len + 1) : NULL;
    cJSON *doc = NULL;
    if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
        buf[len] = 0;
        doc = cJSON_Parse(buf);
    }
    free(buf);
    (void)fclose(f); /* read only */
    return doc;
}
