/* Running the gradtrace binary from a test: see proc.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#define NARGS ((int)(sizeof ((ProcArgs *)0)->v / sizeof ((ProcArgs *)0)->v[0]))

const char *proc_binary(const char *test)
{
    const char *bin = getenv("GRADTRACE");
    if (!bin || !*bin) {
        fprintf(stderr, "%s: set GRADTRACE to the gradtrace binary "
                        "(make test does: GRADTRACE=$PWD/build/gradtrace)\n", test);
        return NULL;
    }
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "%s: GRADTRACE=%s: not executable: %s\n", test, bin, strerror(errno));
        return NULL;
    }
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    return bin;
}

void proc_args_add(ProcArgs *a, ...)
{
    va_list ap;
    va_start(ap, a);
    for (const char *s; (s = va_arg(ap, const char *));) {
        assert_true(a->n < NARGS);
        a->v[a->n++] = s;
    }
    va_end(ap);
}

void proc_args_show(const ProcArgs *a, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < a->n && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, " %s", a->v[i]);
}

pid_t proc_spawn(const char *bin, const ProcArgs *a, const char *dir, int out_fd, int err_fd)
{
    const char *argv[NARGS + 2];
    argv[0] = bin;
    for (int i = 0; i < a->n; i++) argv[i + 1] = a->v[i];
    argv[a->n + 1] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        if (out_fd > 2) close(out_fd);
        if (err_fd > 2 && err_fd != out_fd) close(err_fd);
        if (chdir(dir) != 0) _exit(126); /* a default --out lands in dir */
        execv(bin, (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    return pid;
}

int proc_wait(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0) assert_int_equal(errno, EINTR);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* One captured stream. */
typedef struct {
    char **buf;
    size_t *len, cap;
} Sink;

static void sink_add(Sink *s, ProcGrow grow, const char *src, size_t n)
{
    if (*s->len + n + 1 > s->cap) {
        while (*s->len + n + 1 > s->cap) s->cap = s->cap ? 2 * s->cap : 4096;
        *s->buf = grow ? grow(*s->buf, s->cap) : realloc(*s->buf, s->cap);
        assert_non_null(*s->buf);
    }
    memcpy(*s->buf + *s->len, src, n);
    *s->len += n;
    (*s->buf)[*s->len] = '\0';
}

void proc_run(ProcRes *r, const char *bin, const ProcArgs *a, const char *dir, int timeout_s,
              ProcGrow grow)
{
    int po[2], pe[2]; /* close-on-exec: the child keeps only its dup2'd 1 and 2 */
    assert_int_equal(pipe2(po, O_CLOEXEC), 0);
    assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
    pid_t pid = proc_spawn(bin, a, dir, po[1], pe[1]);
    close(po[1]);
    close(pe[1]);

    memset(r, 0, sizeof *r);
    Sink sink[2] = {{&r->out, &r->outlen, 0}, {&r->err, &r->errlen, 0}};
    for (int i = 0; i < 2; i++) sink_add(&sink[i], grow, "", 0);
    struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
    time_t start = time(NULL);
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (time(NULL) - start >= timeout_s) {
            kill(pid, SIGKILL);
            r->timed_out = 1;
            break;
        }
        int k = poll(fds, 2, 200);
        if (k < 0 && errno == EINTR) continue;
        assert_true(k >= 0);
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char chunk[4096];
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got > 0) {
                sink_add(&sink[i], grow, chunk, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0) close(fds[i].fd);
    r->status = proc_wait(pid);
}
