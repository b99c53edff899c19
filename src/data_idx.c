/* IDX files (the MNIST/Fashion-MNIST format), gzip'd or raw, read through zlib in large
 * chunks. zlib passes non-gzip input through unchanged, so the IDX magic is checked here
 * to tell "not gzip, not IDX" from "gzip of something else" and from truncation. */
#include "data_idx.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Big enough that gzread inflates straight into our buffer, small enough to stay in L2/L3
 * while it is converted to double. */
#define IDX_CHUNK ((size_t)1 << 22)

enum { T_U8 = 0x08, T_S8 = 0x09, T_I16 = 0x0B, T_I32 = 0x0C, T_F32 = 0x0D, T_F64 = 0x0E };

typedef struct {
    gzFile f;
    const char *path;
    int type;
    size_t esize;      /* bytes per element */
    int ndims;
    uint32_t dims[255];
    double file_bytes; /* size of the file on disk (-1: unknown) */
} Idx;

static const char *type_name(int t)
{
    switch (t) {
    case T_U8: return "ubyte";
    case T_S8: return "sbyte";
    case T_I16: return "short";
    case T_I32: return "int";
    case T_F32: return "float";
    case T_F64: return "double";
    default: return "unknown";
    }
}

static size_t type_size(int t)
{
    switch (t) {
    case T_U8: case T_S8: return 1;
    case T_I16: return 2;
    case T_I32: case T_F32: return 4;
    case T_F64: return 8;
    default: return 0;
    }
}

/* Explains a read that returned fewer bytes than asked: I/O error, broken gzip stream,
 * or a well-formed file that simply ends early. */
static int short_read(Idx *ix, int n, size_t want, size_t got, const char *part, GtErr *e)
{
    int zerr = Z_OK;
    const char *zmsg = gzerror(ix->f, &zerr);
    if (zerr == Z_ERRNO)
        return gt_fail(e, GT_EINPUT, "%s: cannot read: %s", ix->path, strerror(errno));
    if (zerr != Z_OK || n < 0)
        return gt_fail(e, GT_EINPUT,
                       "%s: truncated or corrupt gzip data (%s): expected %zu bytes of %s, "
                       "got %zu", ix->path, zmsg, want, part, got);
    return gt_fail(e, GT_EINPUT,
                   "%s: file shorter than its IDX header says: expected %zu bytes of %s, "
                   "got %zu", ix->path, want, part, got);
}

/* Reads exactly len bytes or explains why not. done/total only feed the message. */
static int read_exact(Idx *ix, void *buf, size_t len, size_t done, size_t total,
                      const char *part, GtErr *e)
{
    size_t got = 0;
    while (got < len) {
        size_t ask = len - got > INT_MAX ? INT_MAX : len - got;
        int n = gzread(ix->f, (char *)buf + got, (unsigned)ask);
        if (n <= 0)
            return short_read(ix, n, total, done + got, part, e);
        got += (size_t)n;
    }
    return GT_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int idx_open(Idx *ix, const char *path, GtErr *e)
{
    memset(ix, 0, sizeof *ix);
    ix->path = path;
    errno = 0;
    ix->f = gzopen(path, "rb");
    if (!ix->f) {
        if (errno)
            return gt_fail(e, GT_EINPUT, "%s: cannot open: %s", path, strerror(errno));
        return gt_fail(e, GT_ESYS, "out of memory loading %s", path);
    }
    gzbuffer(ix->f, 1 << 18);
    struct stat st;
    ix->file_bytes = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (double)st.st_size : -1;

    unsigned char h[4];
    int n = gzread(ix->f, h, 4);
    if (n < 4) {
        int zerr = Z_OK;
        gzerror(ix->f, &zerr);
        if (zerr != Z_OK || n < 0)
            return short_read(ix, n, 4, n < 0 ? 0 : (size_t)n, "IDX header", e);
        /* from here on n is 0..3 */
        if (gzdirect(ix->f))
            return gt_fail(e, GT_EINPUT,
                           "%s: not a gzip or IDX file (%d bytes; a gzip file starts with "
                           "magic 0x1f8b, an IDX file with 0x0000, type and rank)", path, n);
        return gt_fail(e, GT_EINPUT,
                       "%s: gzip data is not an IDX file (%d bytes; an IDX file starts "
                       "with 0x0000, type and rank)", path, n);
    }
    if (h[0] != 0 || h[1] != 0) {
        if (gzdirect(ix->f))
            return gt_fail(e, GT_EINPUT,
                           "%s: not a gzip or IDX file (magic 0x1f8b expected for gzip, or "
                           "0x0000 then type and rank for IDX; found 0x%02x%02x%02x%02x)",
                           path, h[0], h[1], h[2], h[3]);
        return gt_fail(e, GT_EINPUT,
                       "%s: gzip data is not an IDX file (magic 0x0000 then type and rank "
                       "expected; found 0x%02x%02x%02x%02x)", path, h[0], h[1], h[2], h[3]);
    }
    ix->type = h[2];
    ix->esize = type_size(ix->type);
    if (!ix->esize)
        return gt_fail(e, GT_EINPUT,
                       "%s: unknown IDX element type 0x%02x (valid: 0x08 ubyte, 0x09 sbyte, "
                       "0x0B short, 0x0C int, 0x0D float, 0x0E double)", path, ix->type);
    ix->ndims = h[3];
    if (ix->ndims == 0)
        return gt_fail(e, GT_EINPUT, "%s: IDX rank 0 (at least one dimension expected)", path);
    unsigned char d[4 * 255];
    int rc = read_exact(ix, d, 4 * (size_t)ix->ndims, 4, 4 + 4 * (size_t)ix->ndims,
                        "IDX header", e);
    if (rc)
        return rc;
    for (int i = 0; i < ix->ndims; i++)
        ix->dims[i] = be32(d + 4 * (size_t)i);
    return GT_OK;
}

/* A header may claim more data than the file can hold (a truncated or corrupt file): say so
 * before allocating for it, or a 30-byte file asks for terabytes and fails as "out of
 * memory". A raw file holds exactly its size less the header; deflate expands at most
 * 1032:1, so a gzip file cannot hold more than 1032 times its size. */
static int check_room(const Idx *ix, size_t body, const char *part, GtErr *e)
{
    if (ix->file_bytes < 0)
        return GT_OK;
    double header = 4.0 + 4.0 * ix->ndims;
    double room = gzdirect(ix->f) ? ix->file_bytes - header : ix->file_bytes * 1032.0;
    if ((double)body <= room)
        return GT_OK;
    if (gzdirect(ix->f))
        return gt_fail(e, GT_EINPUT,
                       "%s: file shorter than its IDX header says: expected %zu bytes of %s, "
                       "got %.0f", ix->path, body, part, room > 0 ? room : 0);
    return gt_fail(e, GT_EINPUT,
                   "%s: truncated or corrupt gzip data: its IDX header says %zu bytes of %s, "
                   "more than %.0f compressed bytes can hold", ix->path, body, part,
                   ix->file_bytes);
}

static void idx_close(Idx *ix)
{
    if (ix->f)
        gzclose(ix->f);
    ix->f = NULL;
}

/* Decodes count big-endian elements at p into doubles; ubyte pixels are scaled to [0,1]
 * as Fashion-MNIST conventionally is, every other type is kept as it is. Returns the
 * index of the first non-finite value, or count. */
static size_t decode(int type, const unsigned char *p, size_t count, double *out)
{
    switch (type) {
    case T_U8: {
        /* A table gives the same bits as p / 255.0 without 47 million divisions. */
        double lut[256];
        for (int v = 0; v < 256; v++)
            lut[v] = v / 255.0;
        for (size_t i = 0; i < count; i++)
            out[i] = lut[p[i]];
        return count;
    }
    case T_S8:
        for (size_t i = 0; i < count; i++)
            out[i] = (int8_t)p[i];
        return count;
    case T_I16:
        for (size_t i = 0; i < count; i++)
            out[i] = (int16_t)(uint16_t)((unsigned)p[2 * i] << 8 | p[2 * i + 1]);
        return count;
    case T_I32:
        for (size_t i = 0; i < count; i++)
            out[i] = (int32_t)be32(p + 4 * i);
        return count;
    case T_F32:
        for (size_t i = 0; i < count; i++) {
            uint32_t u = be32(p + 4 * i);
            float f;
            memcpy(&f, &u, 4);
            if (!isfinite(f))
                return i;
            out[i] = f;
        }
        return count;
    default: /* T_F64 */
        for (size_t i = 0; i < count; i++) {
            uint64_t u = (uint64_t)be32(p + 8 * i) << 32 | be32(p + 8 * i + 4);
            double v;
            memcpy(&v, &u, 8);
            if (!isfinite(v))
                return i;
            out[i] = v;
        }
        return count;
    }
}

/* Reads the images' body chunk by chunk, converting as it goes, so the raw bytes never
 * need a second full-size buffer. */
static int read_images(Idx *ix, double *x, size_t count, GtErr *e)
{
    size_t total = count * ix->esize, cap = total < IDX_CHUNK ? total : IDX_CHUNK;
    unsigned char *buf = malloc(cap); /* a small file needs no 4 MiB buffer */
    if (!buf)
        return gt_fail(e, GT_ESYS, "out of memory loading %s", ix->path);
    size_t per = cap / ix->esize;
    int rc = GT_OK;
    for (size_t i = 0; i < count && !rc; i += per) {
        size_t m = count - i < per ? count - i : per;
        rc = read_exact(ix, buf, m * ix->esize, i * ix->esize, total, "image data", e);
        if (rc)
            break;
        size_t bad = decode(ix->type, buf, m, x + i);
        if (bad < m)
            rc = gt_fail(e, GT_EINPUT, "%s: value %zu is NaN or Inf (finite numbers expected)",
                         ix->path, i + bad);
    }
    free(buf);
    return rc;
}

static int read_labels(Idx *ix, int32_t *y, size_t n, int class_limit, int *classes,
                       GtErr *e)
{
    unsigned char *buf = malloc(n * ix->esize);
    if (!buf)
        return gt_fail(e, GT_ESYS, "out of memory loading %s", ix->path);
    int rc = read_exact(ix, buf, n * ix->esize, 0, n * ix->esize, "labels", e);
    int32_t maxlab = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        int64_t v;
        switch (ix->type) {
        case T_U8: v = buf[i]; break;
        case T_S8: v = buf[i] < 128 ? buf[i] : buf[i] - 256; break;
        case T_I16: v = (int16_t)(uint16_t)((unsigned)buf[2 * i] << 8 | buf[2 * i + 1]); break;
        default: v = (int32_t)be32(buf + 4 * i); break;
        }
        if (v < 0)
            rc = gt_fail(e, GT_EINPUT,
                         "%s: label[%zu] = %lld is negative (labels are classes 0..K-1)",
                         ix->path, i, (long long)v);
        else if (class_limit > 0 && v >= class_limit)
            rc = gt_fail(e, GT_EINPUT, "%s: label[%zu] = %lld is out of range: with %d "
                         "classes labels are 0..%d", ix->path, i, (long long)v, class_limit,
                         class_limit - 1);
        else if (class_limit == 0 && v >= DATA_MAX_CLASSES)
            rc = gt_fail(e, GT_EINPUT, "%s: label[%zu] = %lld is too large (at most %d "
                         "unless --classes is given)", ix->path, i, (long long)v,
                         DATA_MAX_CLASSES - 1);
        else {
            y[i] = (int32_t)v;
            if (y[i] > maxlab)
                maxlab = y[i];
        }
    }
    free(buf);
    if (!rc)
        *classes = maxlab + 1;
    return rc;
}

int idx_load_pair(const char *images, const char *labels, int class_limit, Dataset *d,
                  GtErr *e)
{
    Idx im, lb;
    memset(&im, 0, sizeof im);
    /* Labels first: the file is small, and a count mismatch is found before the images'
     * tens of megabytes are inflated. */
    int rc = idx_open(&lb, labels, e);
    if (!rc && (lb.type == T_F32 || lb.type == T_F64))
        rc = gt_fail(e, GT_EINPUT,
                     "%s: labels have IDX type %s; an integer type is expected (0x08 ubyte, "
                     "0x09 sbyte, 0x0B short, 0x0C int)", labels, type_name(lb.type));
    if (!rc && lb.ndims != 1)
        rc = gt_fail(e, GT_EINPUT, "%s: labels have %d dimensions in their IDX header, 1 "
                     "expected", labels, lb.ndims);
    if (!rc)
        rc = idx_open(&im, images, e);
    size_t n = 0, dim = 1;
    if (!rc) {
        n = im.dims[0];
        for (int i = 1; i < im.ndims && !rc; i++) {
            if (im.dims[i] && dim > SIZE_MAX / im.dims[i] / im.esize / (n ? n : 1))
                rc = gt_fail(e, GT_EINPUT, "%s: IDX dimensions too large to load", images);
            dim *= im.dims[i];
        }
    }
    if (!rc && lb.dims[0] != n)
        rc = gt_fail(e, GT_EINPUT, "%s: %u labels, but %s has %zu images (counts must match)",
                     labels, lb.dims[0], images, n);
    if (!rc && n == 0)
        rc = gt_fail(e, GT_EINPUT, "%s: empty data set (the IDX header says 0 samples)",
                     images);
    if (!rc && dim == 0)
        rc = gt_fail(e, GT_EINPUT, "%s: a sample has 0 values (IDX dimensions include a 0)",
                     images);
    if (!rc)
        rc = check_room(&lb, n * lb.esize, "labels", e);
    if (!rc)
        rc = check_room(&im, n * dim * im.esize, "image data", e);
    if (!rc)
        rc = ds_alloc(d, n, dim, images, e);
    if (!rc)
        rc = read_labels(&lb, d->y, n, class_limit, &d->classes, e);
    if (!rc)
        rc = read_images(&im, d->x, n * dim, e);
    idx_close(&lb);
    idx_close(&im);
    if (rc)
        dataset_free(d);
    return rc;
}
