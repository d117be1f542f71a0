/* grith-launch: runs a program under grith's seccomp exec supervisor (the first program inside a grith session's
 * sandbox). A forked child installs the filter (filter.c) and hands its notification listener to this process, which
 * then answers every execve/execveat of the program's whole tree (supervise.c), the child's own exec of PROGRAM first:
 * its argv may carry a token too. See native/seccomp/README.md. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "launch.h"
#include "supervise.h"

extern char **environ;

#define EXIT_USAGE 2
#define EXIT_SETUP 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

static const char usage_text[] =
    "usage: grith-launch --exec-sock PATH [--approvals-sock PATH] [--stats] -- PROGRAM [ARGS...]\n"
    "\n"
    "Runs PROGRAM under grith's seccomp exec supervisor: every execve/execveat of PROGRAM and of all its\n"
    "descendants (static binaries and raw syscalls included) is checked by the grith session listening on\n"
    "--exec-sock before it runs, PROGRAM's own exec first. A refused exec fails with EACCES and one line on\n"
    "this program's stderr. ptrace, process_vm_readv/writev, pidfd_getfd, io_uring and a second seccomp\n"
    "listener fail with EPERM; a syscall of another ABI (32-bit, x32) kills the process.\n"
    "If this supervisor dies, every exec in the tree fails (ENOSYS): nothing runs unchecked.\n"
    "\n"
    "options:\n"
    "  --exec-sock PATH       the session's exec guard socket (the same as GRITH_EXEC_SOCK)\n"
    "  --approvals-sock PATH  the session's approvals socket: an exec the session has just approved for the\n"
    "                         LD_PRELOAD guard goes on without a second round trip (refuses to start if the\n"
    "                         socket does not answer)\n"
    "  --stats                on exit, print one JSON line of counters to stderr\n"
    "  -h, --help             this help\n"
    "\n"
    "exit status: PROGRAM's (128+N when a signal N ended it); 2 bad usage; 125 the supervisor could not start\n"
    "(seccomp user notification unavailable: Linux 5.5 or later is needed; approvals socket); 126 PROGRAM was\n"
    "refused or cannot be executed; 127 PROGRAM was not found.\n"
    "\n"
    "examples:\n"
    "  grith-launch --exec-sock \"$GRITH_EXEC_SOCK\" -- bash -l\n"
    "  grith-launch --exec-sock /run/grith/exec.sock --approvals-sock /run/grith/approvals.sock -- claude\n";

struct options {
  const char *exec_sock;
  const char *approvals_sock;
  int stats;
  char **program; /* PROGRAM and its args, NULL-terminated */
};

static int bad_usage(const char *what) {
  fprintf(stderr, "grith-launch: %s (grith-launch --help shows how to call it)\n", what);
  return EXIT_USAGE;
}

/* 0 ok, -1 --help printed, else an exit code. */
static int parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof(*o));
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      if (i + 1 >= argc) return bad_usage("no PROGRAM after --");
      o->program = argv + i + 1;
      break;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage_text, stdout);
      return -1;
    }
    if (strcmp(a, "--stats") == 0) {
      o->stats = 1;
      continue;
    }
    const char **slot = strcmp(a, "--exec-sock") == 0 ? &o->exec_sock : strcmp(a, "--approvals-sock") == 0 ? &o->approvals_sock : NULL;
    if (!slot) {
      char msg[256];
      snprintf(msg, sizeof(msg), "unknown option %.200s", a);
      return bad_usage(msg);
    }
    if (i + 1 >= argc || argv[i + 1][0] == 0) {
      char msg[64];
      snprintf(msg, sizeof(msg), "%s needs a PATH", a);
      return bad_usage(msg);
    }
    *slot = argv[++i];
  }
  if (!o->exec_sock) return bad_usage("--exec-sock PATH is required");
  if (!o->program) return bad_usage("no PROGRAM (put it after --)");
  return 0;
}

/* PROGRAM as execve needs it: searched in PATH here, so its exec is one syscall (glibc's execvp would try every
 * directory, and a refused exec would be asked — and reported — once per directory). */
static char *resolve(const char *name, int *err) {
  *err = ENOENT;
  if (strchr(name, '/')) return strdup(name);
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *d = path;; d++) {
    const char *end = strchrnul(d, ':');
    char cand[4096];
    int n = end == d ? snprintf(cand, sizeof(cand), "%s", name) : snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - d), d, name);
    struct stat st;
    if (n > 0 && n < (int)sizeof(cand) && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(cand, X_OK) == 0) return strdup(cand);
      *err = EACCES;
    }
    if (!*end) return NULL;
    d = end;
  }
}

static int connect_approvals(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int fd = -1;
  if (strlen(path) < sizeof(addr.sun_path)) {
    memcpy(addr.sun_path, path, strlen(path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  } else {
    errno = ENAMETOOLONG;
  }
  if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) return fd;
  fprintf(stderr, "grith-launch: cannot connect to the approvals socket %s: %s (start the session's guard first)\n",
          path, strerror(errno));
  if (fd >= 0) close(fd);
  return -1;
}

/* The child: filter on, listener to the parent, wait for its go, then become PROGRAM. Never returns. */
static void child(int sp, const char *file, char **argv) {
  const char *stage;
  int fd = filter_install(&stage);
  char msg[160];
  if (fd < 0) {
    int n = snprintf(msg, sizeof(msg), "E%s: %s", stage, strerror(-fd));
    send(sp, msg, (size_t)n, MSG_NOSIGNAL);
    _exit(EXIT_SETUP);
  }
  char tag = 'F';
  struct iovec iov = {&tag, 1};
  char ctl[CMSG_SPACE(sizeof(int))];
  memset(ctl, 0, sizeof(ctl));
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  if (sendmsg(sp, &mh, MSG_NOSIGNAL) != 1) _exit(EXIT_SETUP);
  close(fd); /* the program must never hold its own listener */
  char go;
  if (recv(sp, &go, 1, 0) != 1 || go != 'G') _exit(EXIT_SETUP);
  /* The syscall itself, not libc's execve: an LD_PRELOAD guard loaded into this launcher would ask (and print) a
   * second time; the supervisor checks this exec like any other. */
  syscall(SYS_execve, file, argv, environ);
  int e = errno;
  char b;
  /* The supervisor said "B" before answering: it printed the refusal already. */
  if (!(e == EACCES && recv(sp, &b, 1, MSG_DONTWAIT) == 1 && b == 'B'))
    fprintf(stderr, "grith-launch: cannot run %s: %s\n", argv[0], strerror(e));
  _exit(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* The listener from the child, or -1 (reason printed). */
static int receive_listener(int sp) {
  char data[160];
  struct iovec iov = {data, sizeof(data) - 1};
  char ctl[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
  ssize_t n;
  do n = recvmsg(sp, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
  if (n == 1 && data[0] == 'F' && cm && cm->cmsg_type == SCM_RIGHTS) {
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
  }
  data[n > 0 ? n : 0] = 0;
  fprintf(stderr, "grith-launch: cannot install the seccomp exec filter (%s); grith's sandbox needs seccomp user "
                  "notification (Linux 5.5 or later, not disabled by the container runtime)\n",
          n > 1 && data[0] == 'E' ? data + 1 : "the child died");
  return -1;
}

int main(int argc, char **argv) {
  struct options o;
  int rc = parse(argc, argv, &o);
  if (rc != 0) return rc < 0 ? 0 : rc;
  int err;
  char *file = resolve(o.program[0], &err);
  if (!file) {
    fprintf(stderr, "grith-launch: cannot run %s: %s\n", o.program[0], err == EACCES ? "permission denied" : "command not found");
    return err == EACCES ? EXIT_CANNOT_RUN : EXIT_NOT_FOUND;
  }
  int approvals = -1;
  if (o.approvals_sock && (approvals = connect_approvals(o.approvals_sock)) < 0) return EXIT_SETUP;
  approvals_init(approvals);
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
    perror("grith-launch: socketpair");
    return EXIT_SETUP;
  }
  /* Orphans of the tree become ours, so the supervisor stays their ancestor (Yama's ptrace_scope=1 lets an ancestor
   * read /proc/PID/mem) and reaps them. Not inherited by the child. */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  pid_t pid = fork();
  if (pid < 0) {
    perror("grith-launch: fork");
    return EXIT_SETUP;
  }
  if (pid == 0) {
    close(sp[0]);
    if (approvals >= 0) close(approvals);
    child(sp[1], file, o.program);
  }
  close(sp[1]);
  free(file);
  /* Not dumpable: a process of the tree (same user) cannot open our /proc/PID/mem or fds, nor ptrace us. Set after
   * the fork: the child must stay readable until its exec. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  int notify = receive_listener(sp[0]);
  if (notify < 0) {
    kill(pid, SIGKILL);
    return EXIT_SETUP;
  }
  /* The supervisor keeps only stderr: a pipe on stdout must see EOF when the program closes it. */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    close(null);
  }
  if (send(sp[0], "G", 1, MSG_NOSIGNAL) != 1) {
    kill(pid, SIGKILL);
    return EXIT_SETUP;
  }
  struct supervisor s = {.notify_fd = notify, .exec_sock = o.exec_sock, .child = pid, .report_fd = sp[0], .stats = o.stats};
  return supervise(&s);
}
