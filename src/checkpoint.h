/* A run's checkpoint file, DIR/checkpoint.bin: what `gradtrace run --resume DIR` needs to
 * continue a run as if it had never stopped. The module knows the file, not the run: the
 * caller fills a payload of raw bytes (float state bit-exact) and reads it back in the same
 * order. The file is
 *   magic "GTCKPT\n\0", u32 version, u32 config length, u64 FNV-1a hash of the config text,
 *   u64 payload length, the config text, the payload, u32 zlib crc32 of all that precedes,
 * integers little-endian. It is written under a temporary name, fsynced and renamed, so a
 * process killed while writing it leaves the previous checkpoint intact. */
#ifndef GT_CHECKPOINT_H
#define GT_CHECKPOINT_H

#include <stddef.h>

#include "common.h"

#define CKPT_NAME "checkpoint.bin"
#define CKPT_VERSION 1

typedef struct {
    unsigned char *buf;
    size_t len, cap; /* bytes put so far / allocated */
    size_t at;       /* ckpt_get's position */
    int oom;         /* a ckpt_put ran out of memory */
} CkptBuf;

void ckpt_put(CkptBuf *b, const void *p, size_t n);
/* The next n bytes into p; -1 when fewer than n remain. */
int ckpt_get(CkptBuf *b, void *p, size_t n);
void ckpt_buf_free(CkptBuf *b);

/* Writes DIR/checkpoint.bin atomically from config (text, "key=value" lines) and payload.
 * Test hook: with GRADTRACE_TEST_STOP_IN_CHECKPOINT=N in the environment the process stops
 * itself (SIGSTOP) half-way through its N-th checkpoint file, for a test to kill it there. */
int ckpt_write(const char *dir, const char *config, const CkptBuf *payload, GtErr *e);

/* Reads DIR/checkpoint.bin: the stored config text into *config (malloc'd) and the payload
 * into b. GT_EINPUT with one line saying what is wrong: no checkpoint, not a checkpoint,
 * another version, a checksum that does not match (damaged), or, with want non-NULL, a
 * configuration that differs from want (naming the first option that differs). */
int ckpt_read(const char *dir, const char *want, char **config, CkptBuf *b, GtErr *e);

/* 1 when DIR holds an intact checkpoint (right magic, version and checksum). */
int ckpt_exists(const char *dir);
/* Removes DIR/checkpoint.bin (a run that finished needs it no more). */
void ckpt_remove(const char *dir);

#endif
