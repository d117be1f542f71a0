/* bench/seccomp: the raw price of a seccomp user notification on this machine. A child calls getppid() N times:
 * unfiltered, under an allow-all filter, then under a filter that notifies getppid to this process, which answers
 * CONTINUE at once (no memory read, no question: the kernel round trip alone). Prints one JSON line, ns per call.
 *   notify-cost [N=20000] */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double loop_ns(long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  return (now_ns() - t0) / (double)n;
}

static int install(int notify) {
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, notify ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog p = {4, f};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &p);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  int sp[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sp);
  pid_t kid = fork();
  if (kid == 0) {
    double r[3];
    loop_ns(n / 10);
    r[0] = loop_ns(n);
    install(0);
    r[1] = loop_ns(n);
    int fd = install(1);
    char c = 'F';
    struct iovec iov = {&c, 1};
    char ctl[CMSG_SPACE(sizeof(int))];
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    sendmsg(sp[1], &mh, 0);
    close(fd);
    r[2] = loop_ns(n);
    send(sp[1], r, sizeof(r), 0);
    _exit(0);
  }
  char c;
  struct iovec iov = {&c, 1};
  char ctl[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
  if (recvmsg(sp[0], &mh, 0) != 1) return 1;
  int fd;
  memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (long i = 0; i < n; i++) {
    memset(&req, 0, sizeof(req));
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return 1;
    memset(&resp, 0, sizeof(resp));
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
  double r[3];
  if (recv(sp[0], r, sizeof(r), 0) != sizeof(r)) return 1;
  waitpid(kid, NULL, 0);
  printf("{\"plain_ns\":%.0f,\"filtered_ns\":%.0f,\"notified_ns\":%.0f}\n", r[0], r[1], r[2]);
  return 0;
}
