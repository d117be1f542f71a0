/* Reads what a notified execve/execveat is about to run out of the target's memory (remote.c): the path and the
 * whole argv, bounded by the kernel's own exec limits.
 *
 * The notification id is checked after everything is read: if it is still pending, the target was blocked in this very
 * exec all along (its pid was not reused), so the bytes are the ones of the blocked exec.
 * Another thread or a process sharing the memory can still change them between this read and the kernel's own copy;
 * that race is accepted (README: the exec is still seen, with the argv it had when read). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

int buf_put(struct buf *b, const void *data, size_t len) {
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + len) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, len);
  b->len += len;
  return 0;
}

int buf_str(struct buf *b, const char *s) { return buf_put(b, s, strlen(s) + 1); }

void buf_free(struct buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

void exec_call_free(struct exec_call *c) {
  buf_free(&c->path);
  buf_free(&c->shown);
  buf_free(&c->tail);
}

/* Append the NUL-terminated string at addr (NUL included) to out; at most max bytes with the NUL. */
static int mem_cstr(uint64_t addr, struct buf *out, size_t max) {
  size_t taken = 0;
  for (;;) {
    const unsigned char *block = remote_block(addr);
    if (!block) return -EFAULT;
    size_t off = (size_t)(addr % REMOTE_BLOCK);
    const unsigned char *nul = memchr(block + off, 0, REMOTE_BLOCK - off);
    size_t n = nul ? (size_t)(nul - block - off) + 1 : REMOTE_BLOCK - off;
    if (taken + n > max) return -E2BIG;
    if (buf_put(out, block + off, n) != 0) return -ENOMEM;
    taken += n;
    if (nul) return 0;
    addr += n;
  }
}

/* The argv pointer array at addr, up to its NULL. */
static int mem_ptrs(uint64_t addr, uint64_t **out, size_t *count) {
  size_t n = 0, cap = 0;
  uint64_t *v = NULL;
  for (;;) {
    uint64_t p;
    unsigned char raw[8];
    size_t off = (size_t)(addr % REMOTE_BLOCK);
    const unsigned char *block = remote_block(addr);
    const unsigned char *next = block && off > REMOTE_BLOCK - 8 ? remote_block(addr + 8) : block;
    if (!block || !next) {
      free(v);
      return -EFAULT;
    }
    for (size_t i = 0; i < 8; i++) raw[i] = off + i < REMOTE_BLOCK ? block[off + i] : next[off + i - REMOTE_BLOCK];
    memcpy(&p, raw, 8);
    if (p == 0) break;
    if (n >= LAUNCH_MAX_ARGC) {
      free(v);
      return -E2BIG;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      uint64_t *nv = realloc(v, cap * sizeof(*v));
      if (!nv) {
        free(v);
        return -ENOMEM;
      }
      v = nv;
    }
    v[n++] = p;
    addr += 8;
  }
  *out = v;
  *count = n;
  return 0;
}

static int still_pending(int notify_fd, uint64_t id) {
  uint64_t v = id;
  return ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &v) == 0;
}

static int read_link(const char *path, struct buf *out) {
  char tmp[4096];
  ssize_t n = readlink(path, tmp, sizeof(tmp) - 1);
  if (n < 0) return -errno;
  tmp[n] = 0;
  return buf_str(out, tmp) == 0 ? 0 : -ENOMEM;
}

/* execveat: what the dirfd names, joined with the path (the exec of a memfd or an open file is shown as what it is). */
static void resolve_dirfd(pid_t pid, int dirfd, int empty, const char *rel, struct buf *shown) {
  char link[64];
  if (dirfd == AT_FDCWD || (!empty && rel[0] == '/')) return;
  snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, dirfd);
  struct buf dir = {0};
  if (read_link(link, &dir) != 0) {
    buf_free(&dir);
    buf_str(shown, link); /* gone or unreadable: name the descriptor */
    return;
  }
  if (empty) {
    *shown = dir;
    return;
  }
  dir.len--; /* drop the NUL, then "/rel" */
  if (buf_put(&dir, "/", 1) != 0 || buf_str(&dir, rel) != 0) {
    buf_free(&dir);
    return;
  }
  *shown = dir;
}

static void set_prog(struct exec_call *c, const char *argv0) {
  const char *name = argv0 && argv0[0] ? argv0 : c->path.p;
  const char *slash = strrchr(name, '/');
  if (slash && slash[1]) name = slash + 1;
  snprintf(c->prog, sizeof(c->prog), "%s", name[0] ? name : "?");
}

int target_read(int notify_fd, uint64_t id, pid_t pid, int nr, const uint64_t args[6], struct exec_call *out) {
  memset(out, 0, sizeof(*out));
  int at = nr == __NR_execveat;
  out->kind = at ? "seccomp-execveat" : "seccomp-execve";
  uint64_t path_p = at ? args[1] : args[0];
  uint64_t argv_p = at ? args[2] : args[1];
  int dirfd = at ? (int)args[0] : AT_FDCWD;
  int flags = at ? (int)args[4] : 0;

  /* The pages of the path and of the argv array in one call, then those of the strings in another. The pid could be
   * reused before this read: the id check after it tells (the blocked target cannot have exited meanwhile). */
  remote_begin(pid);
  uint64_t first[2] = {path_p, argv_p};
  remote_prefetch(first, argv_p ? 2 : 1);
  uint64_t *ptrs = NULL;
  size_t argc = 0;
  int rc = path_p ? mem_cstr(path_p, &out->path, 4096) : -EFAULT;
  if (rc == -E2BIG) rc = -ENAMETOOLONG;
  int empty = rc == 0 && at && (flags & AT_EMPTY_PATH) && out->path.p[0] == 0;
  if (empty) {
    /* fexecve(3): the library asks about "/proc/self/fd/N"; match the same name. */
    char self[48];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
    out->path.len = 0;
    rc = buf_str(&out->path, self) == 0 ? 0 : -ENOMEM;
  }
  if (rc == 0 && argv_p) rc = mem_ptrs(argv_p, &ptrs, &argc); /* NULL argv: an empty one, as the kernel does */
  if (rc == 0) remote_prefetch(ptrs, argc);
  char num[24];
  if (rc == 0) rc = buf_put(&out->tail, num, (size_t)snprintf(num, sizeof(num), "%zu", argc) + 1) == 0 ? 0 : -ENOMEM;
  size_t argv0_at = out->tail.len;
  for (size_t i = 0; rc == 0 && i < argc; i++) {
    size_t room = LAUNCH_MAX_ARGV_BYTES > out->tail.len ? LAUNCH_MAX_ARGV_BYTES - out->tail.len : 0;
    rc = mem_cstr(ptrs[i], &out->tail, room < LAUNCH_MAX_ARG_STRLEN ? room : LAUNCH_MAX_ARG_STRLEN);
  }
  free(ptrs);
  remote_end();
  if (!still_pending(notify_fd, id)) return -ESRCH;
  if (rc != 0) return rc;
  out->argc = argc;
  if (at) resolve_dirfd(pid, dirfd, empty, out->path.p, &out->shown);
  set_prog(out, argc ? out->tail.p + argv0_at : NULL);
  return 0;
}

void target_ids(pid_t tid, pid_t *tgid, pid_t *ppid) {
  char name[64], text[2048];
  *tgid = *ppid = 0;
  snprintf(name, sizeof(name), "/proc/%d/status", (int)tid);
  int fd = open(name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= 0) return;
  text[n] = 0;
  const char *t = strstr(text, "\nTgid:");
  const char *p = strstr(text, "\nPPid:");
  if (t) *tgid = (pid_t)atoi(t + 6);
  if (p) *ppid = (pid_t)atoi(p + 6);
}
