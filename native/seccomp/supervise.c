/* The supervisor: answers every execve/execveat notification of the launched program's whole tree, and waits for it.
 *
 * Per notification: read path and argv (target.c); an exact copy of a request the session just approved goes on at
 * once (approvals.c); anything else is asked the full way (ask.c) on a worker thread, so one slow answer does not hold
 * up the other processes' execs. Deny → the exec fails with EACCES and one line on the supervisor's stderr (the
 * session's terminal); the LD_PRELOAD library already printed nothing for it, since it either approved the exec or was
 * never in the program. Every error denies. If this process dies, the kernel fails every notified syscall with ENOSYS:
 * execs stop, nothing runs unchecked. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"
#include "supervise.h"

#define MAX_WORKERS 32
#define IOCTL_BUF 512 /* struct seccomp_notif / _resp as this kernel sizes them (checked at start) */

static struct supervisor *sv;
static int workers;
static struct {
  unsigned long notified, shortcut, asked, denied, unreadable;
  uint64_t shortcut_ns; /* --stats: CPU time spent on shortcut answers, notification read to answer sent */
} stats;

/* CPU time of this thread (wall time would count the target running after the answer, on this very CPU). */
static uint64_t cpu_ns(void) {
  if (!sv->stats) return 0;
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void count(unsigned long *c) { __atomic_add_fetch(c, 1, __ATOMIC_RELAXED); }

static void say(const char *line) {
  char out[1200];
  int n = snprintf(out, sizeof(out), "grith: %s\n", line);
  if (n > (int)sizeof(out) - 1) {
    n = (int)sizeof(out) - 1;
    out[n - 1] = '\n';
  }
  ssize_t w = write(2, out, (size_t)n); /* one write: one whole line, even with several workers */
  (void)w;
}

/* error 0: go on with the syscall; else it fails with that errno. */
static void respond(uint64_t id, int error) {
  union {
    struct seccomp_notif_resp r;
    char room[IOCTL_BUF];
  } u;
  memset(&u, 0, sizeof(u));
  u.r.id = id;
  if (error) u.r.error = -error;
  else u.r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  int rc;
  while ((rc = ioctl(sv->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &u.r)) != 0 && errno == EINTR) {
  }
  if (rc != 0 && errno == EINVAL && !error) {
    /* Linux < 5.5 has no CONTINUE: nothing can be let through, so nothing runs (and the target does not hang). */
    static int said;
    if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
      say("this kernel cannot let a supervised exec go on (Linux 5.5 or later is needed): every exec is refused");
    u.r.flags = 0;
    u.r.error = -EACCES;
    ioctl(sv->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &u.r);
  }
}

struct job {
  uint64_t id;
  pid_t pid;
  struct exec_call call;
};

static void run_job(struct job *j) {
  pid_t tgid, ppid;
  target_ids(j->pid, &tgid, &ppid);
  char reason[1024];
  count(&stats.asked);
  int allow = ask_session(sv->exec_sock, &j->call, tgid ? tgid : j->pid, ppid, reason, sizeof(reason));
  if (!allow) {
    count(&stats.denied);
    say(reason);
    /* The launched program's own first exec: tell the child not to add a second line. */
    if (j->pid == sv->child) send(sv->report_fd, "B", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  respond(j->id, allow ? 0 : EACCES);
  exec_call_free(&j->call);
  free(j);
}

static void *worker(void *arg) {
  run_job(arg);
  __atomic_sub_fetch(&workers, 1, __ATOMIC_RELAXED);
  return NULL;
}

static void dispatch(struct job *j) {
  if (__atomic_add_fetch(&workers, 1, __ATOMIC_RELAXED) <= MAX_WORKERS) {
    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 256 * 1024);
    int rc = pthread_create(&t, &a, worker, j);
    pthread_attr_destroy(&a);
    if (rc == 0) return;
  }
  __atomic_sub_fetch(&workers, 1, __ATOMIC_RELAXED);
  run_job(j); /* too many in flight (or no thread): answer inline */
}

static void on_notification(void) {
  union {
    struct seccomp_notif n;
    char room[IOCTL_BUF];
  } u;
  memset(&u, 0, sizeof(u));
  if (ioctl(sv->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &u.n) != 0) return; /* EINTR, or the target is gone (ENOENT) */
  uint64_t t0 = cpu_ns();
  count(&stats.notified);
  struct job *j = calloc(1, sizeof(*j));
  if (!j) {
    respond(u.n.id, EACCES);
    return;
  }
  j->id = u.n.id;
  j->pid = (pid_t)u.n.pid;
  int rc = target_read(sv->notify_fd, u.n.id, j->pid, u.n.data.nr, (const uint64_t *)u.n.data.args, &j->call);
  if (rc == 0) {
    approvals_drain(); /* whatever the session approved before it answered is in the socket by now */
    if (approvals_match(&j->call)) {
      count(&stats.shortcut);
      respond(j->id, 0);
      stats.shortcut_ns += cpu_ns() - t0;
      exec_call_free(&j->call);
      free(j);
      return;
    }
    dispatch(j);
    return;
  }
  if (rc != -ESRCH) {
    /* Over the kernel's own limits: its own error. Unreadable: fail closed, and say so. */
    int error = rc == -E2BIG || rc == -ENAMETOOLONG ? -rc : EACCES;
    if (error == EACCES) {
      char line[160];
      count(&stats.unreadable);
      snprintf(line, sizeof(line), "blocked an exec of pid %d: grith cannot read its path and arguments (%s)",
               (int)j->pid, strerror(-rc));
      say(line);
    }
    respond(j->id, error);
  }
  exec_call_free(&j->call);
  free(j);
}

/* 1 when the launched program has ended (*code set). */
static int on_signals(int sfd, int *code) {
  struct signalfd_siginfo si;
  int ended = 0;
  while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP) kill(sv->child, (int)si.ssi_signo);
    /* SIGINT, SIGQUIT and job control come from the terminal to the whole group: the program gets its own. */
  }
  int st;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) { /* orphans are ours too (subreaper, or PID 1) */
    if (p != sv->child) continue;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
    ended = 1;
  }
  return ended;
}

int supervise(struct supervisor *s) {
  sv = s;
  struct seccomp_notif_sizes sizes = {0};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
      (sizes.seccomp_notif > IOCTL_BUF || sizes.seccomp_notif_resp > IOCTL_BUF)) {
    fprintf(stderr, "grith-launch: this kernel's seccomp notifications are larger than expected; not supervising\n");
    kill(s->child, SIGKILL);
    return 125;
  }
  sigset_t set;
  sigemptyset(&set);
  int sigs[] = {SIGCHLD, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) sigaddset(&set, sigs[i]);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    perror("grith-launch: signalfd");
    kill(s->child, SIGKILL);
    return 125;
  }
  int code = 1;
  int listening = 1;
  if (on_signals(sfd, &code)) goto done;
  for (;;) {
    struct pollfd p[3] = {{sfd, POLLIN, 0}, {s->notify_fd, POLLIN, 0}, {approvals_fd(), POLLIN, 0}};
    if (!listening) p[1].fd = -1; /* no filtered process left: wait for the exit status only */
    int n = poll(p, approvals_fd() >= 0 ? 3 : 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (p[0].revents && on_signals(sfd, &code)) break;
    if (p[2].revents) approvals_drain();
    if (p[1].revents & POLLIN) on_notification();
    else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) listening = 0;
  }
done:
  if (s->stats) {
    fprintf(stderr,
            "{\"notified\":%lu,\"shortcut\":%lu,\"asked\":%lu,\"denied\":%lu,\"unreadable\":%lu,\"shortcut_cpu_us\":%.1f}\n",
            stats.notified, stats.shortcut, stats.asked, stats.denied, stats.unreadable,
            stats.shortcut ? (double)stats.shortcut_ns / 1000.0 / (double)stats.shortcut : 0.0);
  }
  return code;
}
