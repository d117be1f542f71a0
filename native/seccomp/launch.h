/* grith-launch: the declarations its parts share (filter, target memory, approvals cache, session question). */
#ifndef GRITH_LAUNCH_H
#define GRITH_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Kernel limits an exec must respect anyway (fs/exec.c): one string at most MAX_ARG_STRLEN, all of them at most
 * 3/4 of _STK_LIM (6 MiB). Anything above is answered E2BIG without asking: the kernel would refuse it too. */
#define LAUNCH_MAX_ARG_STRLEN (32 * 4096)
#define LAUNCH_MAX_ARGV_BYTES (8u << 20)
#define LAUNCH_MAX_ARGC (1u << 20)

/* A growable byte buffer (the supervisor runs normal code: heap allowed). */
struct buf {
  char *p;
  size_t len, cap;
};
int buf_put(struct buf *b, const void *data, size_t len);
int buf_str(struct buf *b, const char *s); /* appends s and its NUL */
void buf_free(struct buf *b);

/* One exec as read from the target: what the session is asked about and what approvals are matched against. */
struct exec_call {
  const char *kind;  /* "seccomp-execve" | "seccomp-execveat" */
  struct buf path;   /* the path as the program passed it, NUL included ("/proc/self/fd/N" for AT_EMPTY_PATH) */
  struct buf shown;  /* the path resolved against execveat's dirfd, NUL included; empty: same as path */
  struct buf tail;   /* "argc\0argv0\0argv1\0…": a GX1 frame from the argc field on */
  size_t argc;
  char prog[96];     /* basename of argv[0] (or of the path) for messages */
};
void exec_call_free(struct exec_call *c);

/* filter.c: installs the filter on the calling (single-threaded) process; returns the listener fd or -errno.
 * *stage names the step that failed. */
int filter_install(const char **stage);

/* target.c: reads path and argv of a notified execve/execveat from /proc/PID/mem. Returns 0, or -errno:
 * -EFAULT unreadable, -E2BIG over the kernel's limits, -ESRCH the notification is gone (nothing to answer). */
int target_read(int notify_fd, uint64_t id, pid_t pid, int nr, const uint64_t args[6], struct exec_call *out);
/* Tgid and parent of a thread id, for the event (0 when unknown). */
void target_ids(pid_t tid, pid_t *tgid, pid_t *ppid);

/* remote.c: the memory of the process being read, in cached blocks (main thread only). remote_block: the block that
 * holds addr, or NULL when it cannot be read. */
#define REMOTE_BLOCK 4096u
void remote_begin(pid_t pid);
void remote_prefetch(const uint64_t *addrs, size_t n);
const unsigned char *remote_block(uint64_t addr);
void remote_end(void);

/* approvals.c: the approvals channel from the session (native/seccomp/README.md). fd -1: none. */
void approvals_init(int fd);
int approvals_fd(void);
void approvals_drain(void);
int approvals_match(const struct exec_call *c);

/* ask.c: the full way. Returns 1 allow, 0 deny; reason: one line without the "grith: " prefix. */
int ask_session(const char *sock_path, const struct exec_call *c, pid_t pid, pid_t ppid, char *reason, size_t cap);

#endif
