/* Experiment files: parsing with inih, validation through the run option table, grid
 * expansion and run ids. */
#include "experiment.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef struct {
    Experiment *x;
    GtErr err;     /* the first problem found */
    int failed;
    int fail_line; /* of that problem when it is not the line inih stopped at */
    FILE *f;
    int line;      /* of the line being parsed (the handler gets no line number) */
    char *buf;     /* that whole line, handed to inih in pieces of its size */
    size_t cap, len, pos;
    /* the last "[section]" line: inih calls the handler only for keys, so a section with
     * none would pass unseen */
    char section[64];
    int section_line; /* 0: none yet */
    int section_keys; /* keys (or continuation lines) since it */
} Parse;

static int fail(Parse *p, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int known_section(const char *name)
{
    return strcmp(name, "experiment") == 0 || strcmp(name, "run") == 0 ||
           strcmp(name, "sweep") == 0;
}

/* Whether the whole line s (line p->line) opens a section as inih's ini_parse_stream reads
 * it, and its name (cut to inih's 49 characters): a UTF-8 BOM on line 1, white space, '[',
 * the name up to ']' unless an inline comment starts first; an indented line after a key is
 * that key's value continued instead. */
static int section_line(const Parse *p, const char *s, char *name, size_t n)
{
    const char *start = s;
    if (p->line == 1 && ini_allow_bom && strncmp(start, "\xEF\xBB\xBF", 3) == 0) start += 3;
    while (*start && isspace((unsigned char)*start)) start++;
    if (*start != '[' || (ini_allow_multiline && p->section_keys && start > s)) return 0;
    const char *end = start + 1;
    for (int was_space = 0; *end && *end != ']'; end++) {
        if (ini_allow_inline_comments && was_space && strchr(ini_inline_comment_prefixes, *end))
            return 0;
        was_space = isspace((unsigned char)*end);
    }
    if (*end != ']') return 0;
    size_t len = (size_t)(end - start - 1);
    snprintf(name, n, "%.*s", (int)(len < 49 ? len : 49), start + 1);
    return 1;
}

/* The section that ends here (a new one starts, or the file ends) had no key: if it is not
 * one of ours, it is refused as one with keys is, on its own line. */
static void section_end(Parse *p)
{
    if (p->failed || !p->section_line || p->section_keys || known_section(p->section)) return;
    fail(p, GT_EINPUT, "[%s]: unknown section (experiment, run, sweep)", p->section);
    p->fail_line = p->section_line;
}

/* inih's reader: reads whole lines (getline), counts them and notes each "[section]" line,
 * and hands them on as fgets would, in pieces of at most num - 1 bytes */
static char *read_line(char *str, int num, void *stream)
{
    Parse *p = stream;
    if (num < 2) return NULL;
    if (p->pos == p->len) {
        ssize_t got = getline(&p->buf, &p->cap, p->f);
        p->len = p->pos = 0;
        if (got <= 0 && !feof(p->f)) {
            /* not a shorter file: a directory, an I/O error, no memory for the line */
            int err = errno;
            fail(p, err == ENOMEM ? GT_ESYS : GT_EINPUT, "cannot read: %s", strerror(err));
            p->fail_line = p->line + 1;
        }
        if (got <= 0) {
            section_end(p);
            return NULL;
        }
        p->len = (size_t)got;
        p->line++;
        char name[sizeof p->section];
        if (section_line(p, p->buf, name, sizeof name)) {
            section_end(p);
            snprintf(p->section, sizeof p->section, "%s", name);
            p->section_line = p->line;
            p->section_keys = 0;
        }
        if (p->failed) return NULL; /* stop at the first problem */
    }
    size_t take = p->len - p->pos < (size_t)num - 1 ? p->len - p->pos : (size_t)num - 1;
    memcpy(str, p->buf + p->pos, take);
    str[take] = 0;
    p->pos += take;
    return str;
}

static char *trim_dup(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = 0;
    }
    return d;
}

/* Keeps the first problem; returns 0, which tells inih this line is in error (ini_parse
 * then returns its number). */
static int fail(Parse *p, int code, const char *fmt, ...)
{
    if (!p->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err.msg, sizeof p->err.msg, fmt, ap);
        va_end(ap);
        p->err.code = code;
    }
    p->failed = 1;
    return 0;
}

/* Text of [experiment]: inih passes each indented continuation line as the same key
 * again, so a repeated key continues the text. */
static int set_text(Parse *p, char **field, const char *value)
{
    size_t old = *field ? strlen(*field) : 0;
    char *t = realloc(*field, old + strlen(value) + 2);
    if (!t) return fail(p, GT_ESYS, "out of memory");
    if (old) t[old++] = ' ';
    strcpy(t + old, value);
    *field = t;
    return 1;
}

/* A [run] key: split on commas, check every value with the run option table. */
static int add_run_key(Parse *p, const char *name, const char *value)
{
    Experiment *x = p->x;
    if (config_is_flag(name) < 0) {
        char hint[256];
        return fail(p, GT_EINPUT, "%s: not a gradtrace run option%s (see gradtrace run --help)",
                    name, config_suggest_key(name, NULL, hint, sizeof hint));
    }
    if (strcmp(name, "out") == 0)
        return fail(p, GT_EINPUT, "%s: set by the sweep (gradtrace sweep FILE --out DIR)", name);
    if (strcmp(name, "threads") == 0)
        return fail(p, GT_EINPUT, "%s: a sweep runs each point with one BLAS thread; use -j N", name);
    for (int i = 0; i < x->nkeys; i++)
        if (strcmp(x->keys[i].key, name) == 0) return fail(p, GT_EINPUT, "%s: given twice", name);
    ExpKey *keys = realloc(x->keys, (size_t)(x->nkeys + 1) * sizeof *keys);
    if (!keys) return fail(p, GT_ESYS, "out of memory");
    x->keys = keys;
    ExpKey *k = &keys[x->nkeys++];
    memset(k, 0, sizeof *k);
    k->line = p->line;
    if (!(k->key = strdup(name))) return fail(p, GT_ESYS, "out of memory");
    /* save-weights takes a comma list itself: it is never an axis */
    int list = strcmp(name, "save-weights") == 0;
    const char *s = value;
    for (;;) {
        const char *comma = list ? NULL : strchr(s, ',');
        /* idx:IMAGES,LABELS holds one comma of its own */
        if (comma && strcmp(name, "data") == 0 && strncmp(s + strspn(s, " \t"), "idx:", 4) == 0)
            comma = strchr(comma + 1, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (k->n == EXP_MAX_VALUES)
            return fail(p, GT_EINPUT, "%s: more than %d values (split the experiment)", name,
                        EXP_MAX_VALUES);
        char *v = trim_dup(s, len);
        char **vals = v ? realloc(k->values, (size_t)(k->n + 1) * sizeof *vals) : NULL;
        if (!vals) {
            free(v);
            return fail(p, GT_ESYS, "out of memory");
        }
        k->values = vals;
        k->values[k->n++] = v;
        if (!*v) return fail(p, GT_EINPUT, "%s: empty value in '%s'", name, value);
        for (int i = 0; i + 1 < k->n; i++)
            if (strcmp(k->values[i], v) == 0)
                return fail(p, GT_EINPUT, "%s: '%s' repeated", name, v);
        Config c;
        config_init(&c);
        int rc = config_set(&c, name, v, &p->err);
        config_free(&c);
        if (rc) {
            char msg[sizeof p->err.msg];
            snprintf(msg, sizeof msg, "%s", p->err.msg + (p->err.msg[0] == '-' ? 2 : 0));
            /* config says "--key value: reason"; the file says "key: value: reason" */
            char *sp = strchr(msg, ' ');
            if (sp && strncmp(msg, name, strlen(name)) == 0) *sp = 0, sp++;
            return fail(p, rc, "%s: %s", name, sp ? sp : msg);
        }
        if (!comma) break;
        s = comma + 1;
    }
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    Parse *p = user;
    Experiment *x = p->x;
    if (p->failed) return 0;
    p->section_keys++;
    if (strcmp(section, "experiment") == 0) {
        if (strcmp(name, "name") == 0) return set_text(p, &x->name, value);
        if (strcmp(name, "title") == 0) return set_text(p, &x->title, value);
        if (strcmp(name, "claim") == 0) return set_text(p, &x->claim, value);
        if (strcmp(name, "description") == 0) return set_text(p, &x->description, value);
        return fail(p, GT_EINPUT, "%s: unknown key in [experiment] (name, title, claim, description)",
                    name);
    }
    if (strcmp(section, "run") == 0) return add_run_key(p, name, value);
    if (strcmp(section, "sweep") == 0) {
        if (strcmp(name, "seeds") != 0)
            return fail(p, GT_EINPUT, "%s: unknown key in [sweep] (seeds)", name);
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < 1 || v > 100000)
            return fail(p, GT_EINPUT, "seeds: '%s': expected an integer from 1 to 100000", value);
        x->seeds = v;
        x->seeds_line = p->line;
        return 1;
    }
    return fail(p, GT_EINPUT, "[%s]: unknown section (experiment, run, sweep)", section);
}

void experiment_free(Experiment *x)
{
    free(x->path);
    free(x->name);
    free(x->title);
    free(x->claim);
    free(x->description);
    for (int i = 0; i < x->nkeys; i++) {
        for (int j = 0; j < x->keys[i].n; j++) free(x->keys[i].values[j]);
        free(x->keys[i].values);
        free(x->keys[i].key);
    }
    free(x->keys);
    memset(x, 0, sizeof *x);
}

static size_t append_safe(char *buf, size_t at, size_t n, const char *s);
static int choice(const Experiment *x, size_t k, int i);

/* Sets the first n keys of point k on a default Config and validates it. */
static int point_check(const Experiment *x, size_t k, int n, GtErr *e)
{
    Config c;
    config_init(&c);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        char buf[64];
        rc = config_set(&c, x->keys[i].key, experiment_point_value(x, k, x->keys[i].key, buf, sizeof buf), e);
    }
    if (!rc) rc = config_validate(&c, e);
    config_free(&c);
    return rc;
}

int experiment_load(Experiment *x, const char *path, GtErr *e)
{
    memset(x, 0, sizeof *x);
    x->seeds = 1;
    x->seed0 = 1;
    Parse p = {.x = x};
    /* Debian's inih reads its limits at run time: whole lines of any length, stop at the
     * first error so the line number and the message agree */
    ini_use_stack = false;
    ini_allow_realloc = true;
    ini_max_line = 1 << 20;
    ini_stop_on_first_error = true;
    FILE *f = fopen(path, "r");
    if (!f) {
        experiment_free(x);
        return gt_fail(e, GT_EINPUT, "%s: cannot read: %m", path);
    }
    p.f = f;
    int line = ini_parse_stream(read_line, &p, handler, &p);
    (void)fclose(f); /* read only */
    free(p.buf);
    if (line != 0 || p.failed) {
        if (p.failed)
            gt_fail(e, p.err.code, "%s:%d: %s", path, p.fail_line ? p.fail_line : line, p.err.msg);
        else
            gt_fail(e, GT_EINPUT, "%s:%d: not a 'key = value', '[section]' or comment line", path, line);
        experiment_free(x);
        return e->code;
    }
    if (!(x->path = strdup(path))) return gt_fail(e, GT_ESYS, "out of memory");
    if (!x->name) {
        experiment_free(x);
        return gt_fail(e, GT_EINPUT, "%s: [experiment] name is missing", path);
    }
    for (int i = 0; i < x->nkeys; i++)
        if (strcmp(x->keys[i].key, "seed") == 0) {
            /* the seed varies fastest, as [sweep] seeds does: its key goes last */
            ExpKey sk = x->keys[i];
            memmove(&x->keys[i], &x->keys[i + 1], (size_t)(x->nkeys - 1 - i) * sizeof sk);
            x->keys[x->nkeys - 1] = sk;
            x->seed_axis = sk.n > 1;
            x->seed0 = strtol(sk.values[0], NULL, 10);
            if (x->seed_axis && x->seeds > 1) {
                int later = sk.line > x->seeds_line;
                gt_fail(e, GT_EINPUT, "%s:%d: %s: seed is an axis in [run] (line %d) and [sweep] seeds = %ld (line %d): use one",
                        path, later ? sk.line : x->seeds_line, later ? "seed" : "seeds", sk.line, x->seeds, x->seeds_line);
                experiment_free(x);
                return GT_EINPUT;
            }
            break;
        }
    /* count the grid before anything walks it, without overflowing */
    size_t pts = (size_t)x->seeds;
    for (int i = 0; i < x->nkeys; i++) {
        if (pts > EXP_MAX_POINTS / (size_t)x->keys[i].n) {
            gt_fail(e, GT_EINPUT, "%s:%d: %s: the grid would have more than %d points (runs); "
                    "use fewer values or split the experiment", path, x->keys[i].line,
                    x->keys[i].key, EXP_MAX_POINTS);
            experiment_free(x);
            return GT_EINPUT;
        }
        pts *= (size_t)x->keys[i].n;
    }
    /* ids stay unique after unsafe characters become '_' */
    for (int i = 0; i < x->nkeys; i++)
        for (int a = 0; a < x->keys[i].n; a++)
            for (int b = a + 1; b < x->keys[i].n; b++) {
                char ia[256], ib[256];
                append_safe(ia, 0, sizeof ia, x->keys[i].values[a]);
                append_safe(ib, 0, sizeof ib, x->keys[i].values[b]);
                if (strcmp(ia, ib) == 0) {
                    gt_fail(e, GT_EINPUT, "%s:%d: %s: '%s' and '%s' give the same run id (%s)",
                            path, x->keys[i].line, x->keys[i].key, x->keys[i].values[a],
                            x->keys[i].values[b], ia);
                    experiment_free(x);
                    return GT_EINPUT;
                }
            }
    /* the options together must make sense too (e.g. not steps and epochs both) */
    for (size_t k = 0; k < experiment_points(x); k++) {
        char pid[EXP_MAX_ID + 2];
        experiment_point_id(x, k, pid, sizeof pid);
        if (strlen(pid) > EXP_MAX_ID) {
            /* name the axis whose value makes the id long */
            int longest = 0;
            size_t best = 0;
            for (int i = 0; i < x->nkeys; i++) {
                size_t len = x->keys[i].n > 1 ? strlen(x->keys[i].values[choice(x, k, i)]) : 0;
                if (len > best) best = len, longest = i;
            }
            gt_fail(e, GT_EINPUT, "%s:%d: %s: the run id '%.40s...' is longer than %d characters "
                    "(a directory name); use shorter values", path, x->keys[longest].line,
                    x->keys[longest].key, pid, EXP_MAX_ID);
            experiment_free(x);
            return GT_EINPUT;
        }
        int rc = point_check(x, k, x->nkeys, e);
        if (!rc) continue;
        /* name the key that completes the conflict: the shortest failing prefix */
        int upto = 1;
        while (upto < x->nkeys && !point_check(x, k, upto, NULL)) upto++;
        rc = point_check(x, k, upto, e);
        char id[512], msg[sizeof e->msg];
        experiment_point_id(x, k, id, sizeof id);
        snprintf(msg, sizeof msg, "%s", e->msg);
        gt_fail(e, rc, "%s:%d: %s: %s (point %s)", path, x->keys[upto - 1].line,
                x->keys[upto - 1].key, msg, id);
        experiment_free(x);
        return rc;
    }
    return GT_OK;
}

size_t experiment_points(const Experiment *x)
{
    size_t n = (size_t)x->seeds;
    for (int i = 0; i < x->nkeys; i++) n *= (size_t)x->keys[i].n;
    return n;
}

/* Index of key i's value in point k (first key outermost, seed innermost). */
static int choice(const Experiment *x, size_t k, int i)
{
    k /= (size_t)x->seeds;
    for (int j = x->nkeys - 1; j > i; j--) k /= (size_t)x->keys[j].n;
    return (int)(k % (size_t)x->keys[i].n);
}

static long seed_of(const Experiment *x, size_t k)
{
    if (x->seed_axis)
        for (int i = 0; i < x->nkeys; i++)
            if (strcmp(x->keys[i].key, "seed") == 0)
                return strtol(x->keys[i].values[choice(x, k, i)], NULL, 10);
    return x->seed0 + (long)(k % (size_t)x->seeds);
}

const char *experiment_point_value(const Experiment *x, size_t k, const char *key, char *buf,
                                   size_t n)
{
    if (strcmp(key, "seed") == 0) {
        snprintf(buf, n, "%ld", seed_of(x, k));
        return buf;
    }
    for (int i = 0; i < x->nkeys; i++)
        if (strcmp(x->keys[i].key, key) == 0) return x->keys[i].values[choice(x, k, i)];
    return NULL;
}

void experiment_point_foreach(const Experiment *x, size_t k,
                              void (*fn)(void *ctx, const char *key, const char *val), void *ctx)
{
    char buf[64];
    for (int i = 0; i < x->nkeys; i++)
        if (strcmp(x->keys[i].key, "seed") != 0) fn(ctx, x->keys[i].key, x->keys[i].values[choice(x, k, i)]);
    fn(ctx, "seed", experiment_point_value(x, k, "seed", buf, sizeof buf));
}

static size_t append_safe(char *buf, size_t at, size_t n, const char *s)
{
    for (; *s && at + 1 < n; s++) {
        char ch = *s;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '-' || ch == '+' || ch == '_' || ch == '=' || ch == ',';
        if (!ok) ch = '_';
        buf[at++] = ch;
    }
    buf[at < n ? at : n - 1] = 0;
    return at;
}

void experiment_point_id(const Experiment *x, size_t k, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < x->nkeys; i++) {
        if (x->keys[i].n < 2 || strcmp(x->keys[i].key, "seed") == 0) continue;
        at = append_safe(buf, at, n, x->keys[i].key);
        at = append_safe(buf, at, n, "=");
        at = append_safe(buf, at, n, x->keys[i].values[choice(x, k, i)]);
        at = append_safe(buf, at, n, ",");
    }
    char seed[32];
    snprintf(seed, sizeof seed, "seed=%ld", seed_of(x, k));
    append_safe(buf, at, n, seed);
}
