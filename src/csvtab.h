/* A CSV file read back whole, its columns found by their header names (never by
 * position: a trace may gain columns). For the plots; the traces themselves are written
 * by trace.c. */
#ifndef GT_CSVTAB_H
#define GT_CSVTAB_H

#include <stddef.h>

#include "common.h"

typedef struct {
    char *buf;      /* the file's text, split in place into the cells */
    char **names;   /* (cols) header names */
    char **cell;    /* (rows x cols) cell[r * cols + c], "" for an empty field */
    size_t rows, cols;
} CsvTab;

/* Reads PATH: GT_EINPUT naming PATH when it cannot be read, has no header line, or a row
 * whose number of fields differs from the header's ("PATH:LINE: 3 fields, the header has
 * 6"). Double-quoted fields may hold commas. */
int csvtab_read(const char *path, CsvTab *t, GtErr *e);
/* The column called NAME, or -1. */
int csvtab_col(const CsvTab *t, const char *name);
/* Cell (r, c) as a number: NaN for an empty field or text that is no number; "inf",
 * "-inf" and "nan" as printed by the traces. */
double csvtab_num(const CsvTab *t, size_t r, int c);
static inline const char *csvtab_str(const CsvTab *t, size_t r, int c) { return t->cell[r * t->cols + (size_t)c]; }
void csvtab_free(CsvTab *t);

#endif
