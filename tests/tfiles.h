/* Buffers freed by the teardown, and small file helpers, for the CMocka tests that drive the
 * binary or write files (test_cli, test_sweep, test_badinput, test_trace, test_experiment).
 * A failed assertion longjmps out of a test, so a test allocates through t_alloc, t_realloc
 * (also the ProcGrow of proc_run) and t_json, and the per-test teardown free_all frees what
 * is left: ASan builds stay leak-free on failure. tfiles.c is linked into every test binary
 * (the Makefile links every .c file in tests/ whose name does not start with test_). Failures
 * fail the running test; messages about the tracker name the test binary. */
#ifndef GT_TFILES_H
#define GT_TFILES_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The size of every path buffer below. */
#define PATHMAX 4096

/* ---- buffers freed by the teardown ---- */

/* realloc that never returns NULL and tracks the block (at most 512 live at once). */
void *t_realloc(void *old, size_t n);
void *t_alloc(size_t n);
/* Frees a tracked block now (NULL: nothing). */
void t_free(void *p);

/* Tracks a parsed document (at most 16 at once); returns it. */
cJSON *t_json(cJSON *doc);
/* Deletes a tracked document now. */
void t_json_delete(cJSON *doc);

/* The per-test teardown: frees every tracked block and document. */
int free_all(void **state);

/* ---- files ---- */

/* DIR/NAME into buf (PATHMAX bytes); too long a path fails the test. */
char *join(char *buf, const char *dir, const char *name);

/* The whole file, NUL-terminated, tracked; its length in *len (len may be NULL). NULL if it
 * cannot be opened. */
char *slurp(const char *path, size_t *len);
/* slurp, and a file that cannot be read fails the test. */
char *must_slurp(const char *path, size_t *len);
/* Byte-identical files (both must exist). */
int files_equal(const char *a, const char *b);
/* A JSON file parsed and tracked; not valid JSON fails the test. */
cJSON *load_json_file(const char *path);

/* Creates or truncates path with text; failing to write fails the test. */
void write_text(const char *path, const char *text);

/* Something (a file, a directory, a dangling link) is at path. */
int exists(const char *path);

/* ---- scratch directories ---- */

/* Creates $TMPDIR/gt_TAG_XXXXXX (/tmp without TMPDIR) into buf (PATHMAX bytes), for a group
 * setup: 0, or -1 with a line on stderr. */
int scratch_dir(char *buf, const char *tag);

/* Removes path and all below it, links not followed: 0 (also when nothing is there), or -1. */
int rm_tree(const char *path);

#endif
