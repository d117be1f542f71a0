/* grith-launch: the supervisor loop (supervise.c) and what main hands it. */
#ifndef GRITH_SUPERVISE_H
#define GRITH_SUPERVISE_H

#include <sys/types.h>

struct supervisor {
  int notify_fd;         /* the seccomp listener */
  const char *exec_sock; /* the session's exec guard socket */
  pid_t child;           /* the launched program */
  int report_fd;         /* our end of the socketpair with the child: "B" = its first exec was blocked */
  int stats;             /* --stats: one JSON line of counters on exit */
};

/* Runs until the launched program ends; returns its exit code (128+N for signal N). */
int supervise(struct supervisor *s);

#endif
