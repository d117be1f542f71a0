/* The full way: ask the session's exec guard server about one exec, with the very frame the LD_PRELOAD library sends
 * (src/guards/shell/exec-protocol.ts), kind "seccomp-execve"/"seccomp-execveat". Fail closed: no socket, no answer
 * within 30 s, a malformed answer → deny, with a reason that says which. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "launch.h"

#define ANSWER_TIMEOUT_S 30

static int send_all(int fd, struct iovec *iov, int n) {
  while (n > 0) {
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    while (n > 0 && (size_t)w >= iov->iov_len) {
      w -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *)iov->iov_base + w;
      iov->iov_len -= (size_t)w;
    }
  }
  return 0;
}

static int deny(char *reason, size_t cap, const struct exec_call *c, const char *why) {
  snprintf(reason, cap, "blocked exec of %s: %s", c->prog, why);
  return 0;
}

int ask_session(const char *sock_path, const struct exec_call *c, pid_t pid, pid_t ppid, char *reason, size_t cap) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(sock_path) >= sizeof(addr.sun_path)) return deny(reason, cap, c, "the guard socket path is too long");
  memcpy(addr.sun_path, sock_path, strlen(sock_path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return deny(reason, cap, c, "cannot reach the grith session (no socket)");
  int rc;
  do rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
  while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    close(fd);
    return deny(reason, cap, c, "cannot reach the grith session (guard socket gone)");
  }
  struct timeval tv = {ANSWER_TIMEOUT_S, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

  /* u32 LE length, then "GX1\0kind\0pid\0ppid\0" path\0 and the argc/argv tail as read. */
  const struct buf *path = c->shown.len ? &c->shown : &c->path;
  char head[128];
  int hl = snprintf(head + 4, sizeof(head) - 4, "GX1%c%s%c%d%c%d%c", 0, c->kind, 0, (int)pid, 0, (int)ppid, 0);
  uint64_t total = (uint64_t)hl + path->len + c->tail.len;
  uint32_t t = (uint32_t)total;
  head[0] = (char)(t & 0xff);
  head[1] = (char)((t >> 8) & 0xff);
  head[2] = (char)((t >> 16) & 0xff);
  head[3] = (char)((t >> 24) & 0xff);
  struct iovec iov[3] = {{head, (size_t)hl + 4}, {path->p, path->len}, {c->tail.p, c->tail.len}};
  if (send_all(fd, iov, 3) != 0) {
    close(fd);
    return deny(reason, cap, c, "cannot reach the grith session (send failed)");
  }

  char resp[1024];
  size_t got = 0;
  while (got < sizeof(resp) - 1) {
    ssize_t r = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
    if (memchr(resp, '\n', got)) break;
  }
  close(fd);
  resp[got] = 0;
  char *nl = memchr(resp, '\n', got);
  if (got >= 2 && resp[0] == 'A' && nl) return 1;
  if (got >= 2 && resp[0] == 'D' && nl) {
    *nl = 0;
    snprintf(reason, cap, "%s", resp + 1);
    return 0;
  }
  return deny(reason, cap, c, "no answer from the grith session");
}
