/* grith-launch's seccomp filter: execve/execveat go to the supervisor (user notification); the calls that reach into
 * another process (ptrace, process_vm_readv/writev, pidfd_getfd), io_uring and a second notification listener are
 * EPERM; a syscall of another ABI (i386 int 0x80, x32) never runs. Everything else is allowed.
 *
 * Why a nested listener is refused: when two filters both answer USER_NOTIF the kernel hands the notification to the
 * newest one only (kernel/seccomp.c, seccomp_run_filters: strict "<"), so a program that installs its own listener
 * would answer its own execs. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "grith-launch supports x86_64 and aarch64"
#endif

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* "if nr == N return V", two self-contained instructions. */
#define ON(nr, v) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(v)
#define EPERM_RET (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

static struct sock_filter program[] = {
    LOAD(offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
    RET(SECCOMP_RET_KILL_PROCESS),
    LOAD(offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
    /* x32 syscalls carry the native arch and bit 30 in nr: none would match the numbers below. */
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
    RET(EPERM_RET),
#endif
    ON(__NR_execve, SECCOMP_RET_USER_NOTIF),
    ON(__NR_execveat, SECCOMP_RET_USER_NOTIF),
    ON(__NR_ptrace, EPERM_RET),
    ON(__NR_process_vm_readv, EPERM_RET),
    ON(__NR_process_vm_writev, EPERM_RET),
    ON(__NR_pidfd_getfd, EPERM_RET),
    ON(__NR_io_uring_setup, EPERM_RET),
    ON(__NR_io_uring_enter, EPERM_RET),
    ON(__NR_io_uring_register, EPERM_RET),
    /* seccomp(op, flags, …) with NEW_LISTENER in flags: EPERM; any other seccomp() call is allowed. */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, 0, 4),
    LOAD(ARG_LO(1)),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1),
    RET(EPERM_RET),
    RET(SECCOMP_RET_ALLOW),
    RET(SECCOMP_RET_ALLOW),
};

int filter_install(const char **stage) {
  *stage = "no_new_privs";
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  struct sock_fprog prog = {.len = (unsigned short)(sizeof(program) / sizeof(program[0])), .filter = program};
  *stage = "seccomp filter with a notification listener";
  /* WAIT_KILLABLE_RECV (Linux 5.19): once the supervisor holds a notification, only SIGKILL interrupts the exec,
   * so a signal does not make the same exec be asked twice. Older kernels: without it. */
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
  if (fd < 0 && errno == EINVAL)
    fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) return -errno;
  return (int)fd;
}
