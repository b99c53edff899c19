/* The checkpoint file of a run (see checkpoint.h). */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const unsigned char MAGIC[8] = {'G', 'T', 'C', 'K', 'P', 'T', '\n', 0};
#define HEAD_BYTES 32 /* magic, version, config length, config hash, payload length */

void ckpt_put(CkptBuf *b, const void *p, size_t n)
{
    if (b->oom || n == 0) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *nb = realloc(b->buf, cap);
        if (!nb) {
            b->oom = 1;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

int ckpt_get(CkptBuf *b, void *p, size_t n)
{
    if (b->len - b->at < n) return -1;
    if (n == 0) return 0; /* p may be NULL (an optimiser without state) */
    memcpy(p, b->buf + b->at, n);
    b->at += n;
    return 0;
}

void ckpt_buf_free(CkptBuf *b)
{
    free(b->buf);
    memset(b, 0, sizeof *b);
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static uint32_t crc(uint32_t c, const unsigned char *p, size_t n)
{
    while (n > 0) { /* zlib's crc32 takes a uInt length */
        uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;
        c = (uint32_t)crc32(c, p, k);
        p += k;
        n -= k;
    }
    return c;
}

/* write(2) all of p; errno on failure */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int g_writes; /* checkpoint files written by this process (the test hook counts) */

int ckpt_write(const char *dir, const char *config, const CkptBuf *payload, GtErr *e)
{
    char path[4096], tmp[4096];
    snprintf(path, sizeof path, "%s/%s", dir, CKPT_NAME);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, CKPT_NAME, (long)getpid());
    if (payload->oom) return gt_fail(e, GT_ESYS, "%s: out of memory", path);
    size_t clen = strlen(config);
    unsigned char head[HEAD_BYTES], tail[4];
    memcpy(head, MAGIC, 8);
    put_le(head + 8, CKPT_VERSION, 4);
    put_le(head + 12, clen, 4);
    put_le(head + 16, fnv1a(config, clen), 8);
    put_le(head + 24, payload->len, 8);
    uint32_t c = crc(0, head, HEAD_BYTES);
    c = crc(c, (const unsigned char *)config, clen);
    c = crc(c, payload->len ? payload->buf : head, payload->len);
    put_le(tail, c, 4);

    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return gt_fail(e, GT_EINPUT, "%s: cannot write: %s", path, strerror(errno));
    const char *hook = getenv("GRADTRACE_TEST_STOP_IN_CHECKPOINT");
    int stop_here = hook && strtol(hook, NULL, 10) == ++g_writes;
    size_t half = payload->len / 2;
    const unsigned char *pb = payload->len ? payload->buf : head; /* never NULL + 0 */
    int err = write_all(fd, head, HEAD_BYTES);
    if (!err) err = write_all(fd, (const unsigned char *)config, clen);
    if (!err) err = write_all(fd, pb, half);
    if (!err && stop_here) (void)raise(SIGSTOP); /* a test's hook: it sees the stop */
    if (!err) err = write_all(fd, pb + half, payload->len - half);
    if (!err) err = write_all(fd, tail, 4);
    if (!err && fsync(fd) != 0) err = errno;
    if (close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err) {
        unlink(tmp);
        return gt_fail(e, GT_EINPUT, "%s: write failed: %s", path, strerror(err));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* the rename itself */
    if (dfd >= 0) {
        (void)fsync(dfd); /* best effort: some file systems refuse fsync on a directory */
        close(dfd);
    }
    return GT_OK;
}

/* The whole file into *buf; errno, or -1 when it is not a regular file */
static int slurp(const char *path, unsigned char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return errno;
    struct stat st;
    int err = fstat(fileno(f), &st) != 0 ? errno : !S_ISREG(st.st_mode) ? -1 : 0;
    *buf = err ? NULL : malloc((size_t)st.st_size + 1);
    if (!err && !*buf) err = ENOMEM;
    if (!err && fread(*buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) err = EIO;
    (void)fclose(f); /* read only */
    if (err) {
        free(*buf);
        *buf = NULL;
    }
    *len = err ? 0 : (size_t)st.st_size;
    return err;
}

/* Whether the configuration text cfg ("key=value" lines) has a line for key (kl bytes). */
static int has_key(const char *cfg, const char *key, size_t kl)
{
    for (const char *l = cfg; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
        if (strncmp(l, key, kl) == 0 && l[kl] == '=') return 1;
    return 0;
}

/* The first line where two configurations differ: its key and both values ("(none)" on the
 * side without the key). Returns 0 when they are equal, 1 for a value that differs, 2 for a
 * key only one side has (the checkpoint was written by another gradtrace version). */
static int first_difference(const char *a, const char *b, char *key, char *va, char *vb,
                            size_t n)
{
    while (*a || *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0) {
            size_t ka = strcspn(a, "=\n"), kb = strcspn(b, "=\n");
            snprintf(va, n, "(none)");
            snprintf(vb, n, "(none)");
            if (lb && !(la && ka == kb && memcmp(a, b, ka) == 0) && !has_key(a, b, kb)) {
                snprintf(key, n, "%.*s", (int)kb, b); /* a key the checkpoint lacks */
                if (lb > kb) snprintf(vb, n, "%.*s", (int)(lb - kb - 1), b + kb + 1);
                return 2;
            }
            snprintf(key, n, "%.*s", (int)ka, a);
            if (la > ka) snprintf(va, n, "%.*s", (int)(la - ka - 1), a + ka + 1);
            if (!lb || !(ka == kb && memcmp(a, b, ka) == 0))
                return has_key(b, a, ka) ? 1 : 2; /* a key only the checkpoint has */
            if (lb > kb) snprintf(vb, n, "%.*s", (int)(lb - kb - 1), b + kb + 1);
            return 1;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    return 0;
}

int ckpt_read(const char *dir, const char *want, char **config, CkptBuf *b, GtErr *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, CKPT_NAME);
    *config = NULL;
    memset(b, 0, sizeof *b);
    unsigned char *buf = NULL;
    size_t len = 0;
    int err = slurp(path, &buf, &len);
    if (err == ENOENT)
        return gt_fail(e, GT_EINPUT, "%s: no checkpoint (the run wrote none: --checkpoint-every "
                       "K writes one every K steps); run it again without --resume", path);
    if (err)
        return gt_fail(e, GT_EINPUT, "%s: cannot read: %s", path,
                       err < 0 ? "not a regular file" : strerror(err));
    const char *bad = NULL;
    uint64_t clen = 0, plen = 0;
    if (len < HEAD_BYTES + 4 || memcmp(buf, MAGIC, 8) != 0) bad = "not a gradtrace checkpoint";
    else if (get_le(buf + 8, 4) != CKPT_VERSION) bad = "written by another checkpoint version";
    else {
        clen = get_le(buf + 12, 4);
        plen = get_le(buf + 24, 8);
        if (clen > len || plen > len || HEAD_BYTES + clen + plen + 4 != len)
            bad = "truncated or damaged (its lengths do not add up)";
        else if (crc(0, buf, len - 4) != (uint32_t)get_le(buf + len - 4, 4))
            bad = "damaged (checksum mismatch)";
        else if (fnv1a((const char *)buf + HEAD_BYTES, clen) != get_le(buf + 16, 8))
            bad = "damaged (configuration hash mismatch)";
    }
    if (bad) {
        free(buf);
        return gt_fail(e, GT_EINPUT, "%s: %s; it cannot be resumed: run again with --force",
                       path, bad);
    }
    char *cfg = malloc(clen + 1);
    if (!cfg) {
        free(buf);
        return gt_fail(e, GT_ESYS, "%s: out of memory", path);
    }
    memcpy(cfg, buf + HEAD_BYTES, clen);
    cfg[clen] = 0;
    if (want && (strlen(want) != clen || fnv1a(want, clen) != get_le(buf + 16, 8) ||
                 strcmp(want, cfg) != 0)) {
        char key[256], va[256], vb[256];
        int d = first_difference(cfg, want, key, va, vb, sizeof key), rc;
        if (d == 2)
            rc = gt_fail(e, GT_EINPUT, "--resume %s: the checkpoint's configuration %s --%s%s%s, "
                         "so another gradtrace version wrote it (this is %s); resume it with "
                         "that version, or start again with --force", dir,
                         strcmp(va, "(none)") ? "has" : "has no", key,
                         strcmp(va, "(none)") ? " " : "", strcmp(va, "(none)") ? va : "", GT_VERSION);

        else if (d == 1)
            rc = gt_fail(e, GT_EINPUT, "--resume %s: --%s %s differs from the checkpoint's --%s "
                         "%s; resume with the run's own options", dir, key, vb, key, va);
        else
            rc = gt_fail(e, GT_EINPUT, "--resume %s: the configuration differs from the "
                         "checkpoint's", dir);
        free(cfg);
        free(buf);
        return rc;
    }
    /* the payload: moved to the front of the buffer it came in */
    memmove(buf, buf + HEAD_BYTES + clen, plen);
    b->buf = buf;
    b->len = b->cap = plen;
    *config = cfg;
    return GT_OK;
}

int ckpt_exists(const char *dir)
{
    char *cfg;
    CkptBuf b;
    GtErr e;
    if (ckpt_read(dir, NULL, &cfg, &b, &e) != GT_OK) return 0;
    free(cfg);
    ckpt_buf_free(&b);
    return 1;
}

void ckpt_remove(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, CKPT_NAME);
    unlink(path);
}
