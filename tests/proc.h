/* Running the real gradtrace binary from a CMocka test (test_cli, test_sweep, test_badinput):
 * a command line, fork and exec in a given directory, stdout and stderr captured, a timeout,
 * the exit status. proc.c is linked into every test binary (the Makefile links every .c
 * file in tests/ whose name does not start with test_). Failed system calls fail the
 * running test. */
#ifndef GT_PROC_H
#define GT_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The arguments after the binary (argv[1..]). */
typedef struct {
    const char *v[96];
    int n;
} ProcArgs;

typedef struct {
    int status;      /* exit status, or 128 + signal */
    int timed_out;   /* killed with SIGKILL when the timeout passed */
    char *out, *err; /* all it wrote, NUL-terminated */
    size_t outlen, errlen;
} ProcRes;

/* Allocates the captured output, realloc-like (a test tracks what a failed assertion would
 * leak); must not return NULL. NULL: plain realloc, and the caller frees out and err. */
typedef void *(*ProcGrow)(void *old, size_t n);

/* The binary under test, $GRADTRACE, for a group setup: NULL (after a line on stderr naming
 * `test`) when it is unset or not executable. Sets OPENBLAS_NUM_THREADS=1 for its runs. */
const char *proc_binary(const char *test);

/* Appends the strings up to a NULL. */
void proc_args_add(ProcArgs *a, ...);

/* " arg1 arg2 ..." into buf (cut to n), for messages. */
void proc_args_show(const ProcArgs *a, char *buf, size_t n);

/* Starts bin with a in directory dir, its stdout on out_fd and stderr on err_fd. */
pid_t proc_spawn(const char *bin, const ProcArgs *a, const char *dir, int out_fd, int err_fd);

/* Waits for pid; its exit status, or 128 + signal. */
int proc_wait(pid_t pid);

/* Runs bin with a in dir and waits for it, capturing stdout and stderr; after timeout_s
 * seconds it is killed and r->timed_out set. */
void proc_run(ProcRes *r, const char *bin, const ProcArgs *a, const char *dir, int timeout_s,
              ProcGrow grow);

#endif
