/* Trace writers: CSV files, NumPy .npy arrays and JSON documents. Every file is written
 * under a temporary name in its final directory and renamed into place only when it is
 * complete, so a half-written file never carries a final name. */
#ifndef GT_TRACE_H
#define GT_TRACE_H

#include <stdio.h>

#include "common.h"
#include "xnorm.h"

struct cJSON;

typedef struct {
    FILE *f;
    char *path;     /* final name */
    char *tmp;      /* name while being written */
    int digits;     /* significant digits for reals: 9 (float32) or 17 (float64) */
    int field;      /* fields written on the current row */
    int failed;     /* errno of the first failed write (0: none); close reports it */
    char *buf;      /* 1 MiB stdio buffer: layers.csv is large; freed after fclose */
    size_t pending; /* bytes written since the last flush */
} CsvFile;

/* A live trace DIR/NAME is written as DIR/NAME.partial, readable while the run goes (whole
 * rows only: csv_flush, and rows are flushed before the buffer fills), and renamed to NAME
 * by csv_commit when the run completes. */
#define PARTIAL_SUFFIX ".partial"

/* Creates DIR if needed (mkdir -p). */
int trace_mkdir(const char *dir, GtErr *e);

/* Opens DIR/NAME for writing under a temporary name and writes the header line. */
int csv_open(CsvFile *c, const char *dir, const char *name, const char *header, int digits,
             GtErr *e);
/* Opens DIR/NAME.partial (replacing a stale one) and writes the header line. */
int csv_open_live(CsvFile *c, const char *dir, const char *name, const char *header,
                  int digits, GtErr *e);
/* Reopens the live file DIR/NAME.partial to continue after byte `at` (a checkpoint's
 * offset), cutting off what came later; without a .partial, DIR/NAME (an interrupted run's
 * committed file) is copied up to `at` into a new .partial. GT_EINPUT when neither is there
 * or the file is shorter than `at`. */
int csv_resume_live(CsvFile *c, const char *dir, const char *name, long long at, int digits,
                    GtErr *e);
/* Writes the buffered rows out (whole rows: call it between rows). */
void csv_flush(CsvFile *c);
/* csv_flush, then the file's length in bytes (0 for a file that is not open). */
long long csv_offset(CsvFile *c);
/* csv_flush and fsync; the errno of the first failure so far, or 0. */
int csv_sync(CsvFile *c);
/* Closes a live file and leaves its .partial in place (a checkpointed run that failed:
 * --resume continues it). */
void csv_detach(CsvFile *c);
void csv_int(CsvFile *c, long long v);
void csv_real(CsvFile *c, double v);   /* %.{digits}g; nan, inf, -inf spelled so */
void csv_xnorm(CsvFile *c, XNorm v);   /* exact value text, even below double's range */
void csv_str(CsvFile *c, const char *s); /* a name: no commas, quotes or newlines */
void csv_quoted(CsvFile *c, const char *s); /* "s", for text that may hold commas */
void csv_empty(CsvFile *c);            /* an empty field */
void csv_end_row(CsvFile *c);
/* Flushes, checks for write errors, closes and renames into place (csv_finish then
 * csv_commit: a caller that commits several files together finishes them all first). */
int csv_close(CsvFile *c, GtErr *e);
int csv_finish(CsvFile *c, GtErr *e); /* flush, check, close; still under the temporary name */
int csv_commit(CsvFile *c, GtErr *e); /* rename a finished file into place */
/* GT_EINPUT naming the file when a write has failed so far (disk full), else GT_OK. */
int csv_failed(const CsvFile *c, GtErr *e);
/* Removes temporary files and directories (.NAME.tmp.PID) left in DIR by a process that
 * was killed. */
void trace_clean_tmp(const char *dir);
/* Removes every DIR/NAME.partial (files and directories) of an earlier, unfinished run. */
void trace_clean_partial(const char *dir);
/* Makes DST a copy of the directory tree SRC whose files are hard links to SRC's (files
 * here are replaced by rename, never changed in place, so the copy stays intact). */
int trace_link_tree(const char *src, const char *dst, GtErr *e);
/* Removes PATH and everything under it (rm -rf); 0 when it is gone or was never there. */
int trace_rmtree(const char *path);
/* Closes and removes the temporary file (error paths). Safe on a closed, finished or zeroed
 * CsvFile. */
void csv_abort(CsvFile *c);

/* Writes a 2-D C-order array (rows x cols) of float32 (elem 4) or float64 (elem 8) as .npy
 * (format 1.0), atomically. A 1-D array is written with rows == 0 meaning shape (cols,). */
int npy_write(const char *dir, const char *name, const void *data, int elem, size_t rows,
              size_t cols, GtErr *e);

/* Reads a JSON file; NULL when missing or not JSON. */
struct cJSON *json_read(const char *path);

/* Writes a cJSON document to DIR/NAME, pretty-printed, atomically. */
int json_write(const char *dir, const char *name, const struct cJSON *doc, GtErr *e);
/* json_write's first half, for a caller that commits several files together: the document
 * is written, flushed and closed under the temporary name, then csv_commit renames it into
 * place (or csv_abort removes it). */
int json_stage(CsvFile *c, const char *dir, const char *name, const struct cJSON *doc,
               GtErr *e);

#endif
