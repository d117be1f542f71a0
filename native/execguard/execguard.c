/* grith exec guard: an LD_PRELOAD library that asks the grith session (over a Unix socket) before any program runs.
 *
 * Every exec-family entry point and posix_spawn are interposed. Before the real call, the full argv is sent to the
 * session (GRITH_EXEC_SOCK); the session scans it for canaries and answers allow or deny. Deny: the call fails with
 * EACCES and a one-line reason goes to stderr. No answer (socket gone, session dead): deny too — fail closed.
 * The environment handed to the new program always gets LD_PRELOAD, the socket and the session's canary variables
 * back, so `env -i` or `subprocess.run(env={})` cannot shed the guard.
 *
 * The hooks may run in a vfork child (CPython, some libcs): they use only syscall wrappers and the stack there —
 * no malloc, no stdio, no locks. Everything that needs the heap happens in the constructor.
 *
 * What this cannot see: static binaries, programs that issue the execve syscall themselves (Go), setuid programs
 * (the loader drops LD_PRELOAD). The proxy and the mount still cover what those send out.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*execveat_fn)(int, const char *, char *const[], char *const[], int);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                        char *const[], char *const[]);
typedef int (*system_fn)(const char *);
typedef FILE *(*popen_fn)(const char *, const char *);

static execve_fn real_execve;
static execvpe_fn real_execvpe;
static execveat_fn real_execveat;
static fexecve_fn real_fexecve;
static spawn_fn real_posix_spawn;
static spawn_fn real_posix_spawnp;
static system_fn real_system;
static popen_fn real_popen;

#define MAX_FORCED 64
/* "NAME=VALUE" strings re-added to every exec's environment. forced_always[i]: replace an existing value too. */
static char *forced[MAX_FORCED];
static size_t forced_name_len[MAX_FORCED];
static int forced_always[MAX_FORCED];
static int n_forced;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static const char *lib_path; /* this library, as LD_PRELOAD must name it */
static size_t lib_path_len;

static void resolve(void) {
  if (real_execve) return;
  real_execve = (execve_fn)dlsym(RTLD_NEXT, "execve");
  real_execvpe = (execvpe_fn)dlsym(RTLD_NEXT, "execvpe");
  real_execveat = (execveat_fn)dlsym(RTLD_NEXT, "execveat");
  real_fexecve = (fexecve_fn)dlsym(RTLD_NEXT, "fexecve");
  real_posix_spawn = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawn");
  real_posix_spawnp = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawnp");
  real_system = (system_fn)dlsym(RTLD_NEXT, "system");
  real_popen = (popen_fn)dlsym(RTLD_NEXT, "popen");
}

static void add_forced(const char *name, const char *value, int always) {
  if (n_forced >= MAX_FORCED || value == NULL) return;
  size_t nl = strlen(name), vl = strlen(value);
  char *s = malloc(nl + vl + 2);
  if (!s) return;
  memcpy(s, name, nl);
  s[nl] = '=';
  memcpy(s + nl + 1, value, vl + 1);
  forced[n_forced] = s;
  forced_name_len[n_forced] = nl;
  forced_always[n_forced] = always;
  n_forced++;
}

__attribute__((constructor)) static void grith_init(void) {
  resolve();
  Dl_info info;
  if (dladdr((void *)&grith_init, &info) && info.dli_fname && info.dli_fname[0] == '/') lib_path = strdup(info.dli_fname);
  if (!lib_path) lib_path = getenv("GRITH_EXEC_LIB");
  if (lib_path) lib_path_len = strlen(lib_path);
  const char *sock = getenv("GRITH_EXEC_SOCK");
  if (sock && strlen(sock) < sizeof(sock_path)) {
    strcpy(sock_path, sock);
    add_forced("GRITH_EXEC_SOCK", sock, 1);
  }
  if (lib_path) add_forced("GRITH_EXEC_LIB", lib_path, 1);
  const char *names = getenv("GRITH_EXEC_ENV");
  if (names) {
    add_forced("GRITH_EXEC_ENV", names, 1);
    char *copy = strdup(names);
    for (char *save = NULL, *n = copy ? strtok_r(copy, ",", &save) : NULL; n; n = strtok_r(NULL, ",", &save)) {
      /* A canary variable the program set to something else stays as the program set it; a dropped one comes back. */
      if (*n) add_forced(n, getenv(n), 0);
    }
    free(copy);
  }
  /* Routing variables (proxy, NO_PROXY): forced to the session's value even when the program set its own, so
   * `env -i`, `HTTPS_PROXY= prog` or `NO_PROXY='*' prog` cannot take a child off the session proxy. */
  const char *force = getenv("GRITH_EXEC_FORCE");
  if (force) {
    add_forced("GRITH_EXEC_FORCE", force, 1);
    char *copy = strdup(force);
    for (char *save = NULL, *n = copy ? strtok_r(copy, ",", &save) : NULL; n; n = strtok_r(NULL, ",", &save)) {
      if (*n) add_forced(n, getenv(n), 1);
    }
    free(copy);
  }
}

/* ---- small async-signal-safe helpers ---- */

static size_t cstrlen(const char *s) { return s ? strlen(s) : 0; }

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    buf += w;
    len -= (size_t)w;
  }
}

static void say(const char *a, const char *b, const char *c) {
  char line[1024];
  size_t n = 0;
  const char *parts[4] = {"grith: ", a, b, c};
  for (int i = 0; i < 4; i++) {
    for (const char *p = parts[i]; p && *p && n < sizeof(line) - 2; p++) line[n++] = *p;
  }
  line[n++] = '\n';
  write_all(2, line, n);
}

static const char *base_name(const char *p) {
  if (!p) return "?";
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static size_t utoa(unsigned long v, char *out) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  return n;
}

/* Buffered sender on a stack buffer: few syscalls, no heap. */
struct sender {
  int fd;
  int failed;
  size_t n;
  char buf[4096];
};

static void s_flush(struct sender *s) {
  size_t off = 0;
  while (!s->failed && off < s->n) {
    ssize_t w = send(s->fd, s->buf + off, s->n - off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      s->failed = 1;
      break;
    }
    off += (size_t)w;
  }
  s->n = 0;
}

static void s_put(struct sender *s, const char *data, size_t len) {
  while (len > 0 && !s->failed) {
    size_t room = sizeof(s->buf) - s->n;
    size_t k = len < room ? len : room;
    memcpy(s->buf + s->n, data, k);
    s->n += k;
    data += k;
    len -= k;
    if (s->n == sizeof(s->buf)) s_flush(s);
  }
}

static void s_field(struct sender *s, const char *str, size_t len) {
  s_put(s, str, len);
  s_put(s, "", 1);
}

/* Ask the session. Returns 0 to allow; -1 to deny (reason already on stderr, errno = EACCES). */
static int grith_check(const char *kind, const char *path, char *const argv[]) {
  int saved_errno = errno;
  const char *what = base_name(argv && argv[0] ? argv[0] : path);
  if (sock_path[0] == 0) {
    say("blocked exec of ", what, ": exec guard has no session socket (GRITH_EXEC_SOCK unset)");
    errno = EACCES;
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    say("blocked exec of ", what, ": cannot reach the grith session (no socket)");
    errno = EACCES;
    return -1;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, sock_path, strlen(sock_path));
  int rc;
  do rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
  while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    close(fd);
    say("blocked exec of ", what, ": cannot reach the grith session (guard socket gone)");
    errno = EACCES;
    return -1;
  }
  /* A session that never answers must not hang the program forever; 30 s then deny. */
  struct timeval tv = {30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

  /* Frame: u32 LE payload length, then NUL-terminated fields: "GX1", kind, pid, ppid, path, argc, argv... */
  char num[3][24];
  size_t pidl = utoa((unsigned long)getpid(), num[0]);
  size_t ppidl = utoa((unsigned long)getppid(), num[1]);
  size_t argc = 0;
  uint64_t total = 4 + cstrlen(kind) + 1 + pidl + 1 + ppidl + 1 + cstrlen(path) + 1;
  if (argv)
    for (; argv[argc]; argc++) total += strlen(argv[argc]) + 1;
  size_t argcl = utoa((unsigned long)argc, num[2]);
  total += argcl + 1;
  if (total > 0xffffffffu) total = 0xffffffffu; /* the session rejects it: deny */
  uint32_t t = (uint32_t)total;
  unsigned char hdr[4] = {(unsigned char)(t & 0xff), (unsigned char)((t >> 8) & 0xff),
                          (unsigned char)((t >> 16) & 0xff), (unsigned char)((t >> 24) & 0xff)};
  struct sender s;
  s.fd = fd;
  s.failed = 0;
  s.n = 0;
  s_put(&s, (const char *)hdr, 4);
  s_field(&s, "GX1", 3);
  s_field(&s, kind, cstrlen(kind));
  s_field(&s, num[0], pidl);
  s_field(&s, num[1], ppidl);
  s_field(&s, path ? path : "", cstrlen(path));
  s_field(&s, num[2], argcl);
  for (size_t i = 0; i < argc; i++) s_field(&s, argv[i], strlen(argv[i]));
  s_flush(&s);

  char resp[1024];
  size_t got = 0;
  while (!s.failed && got < sizeof(resp) - 1) {
    ssize_t r = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
    if (memchr(resp, '\n', got)) break;
  }
  close(fd);
  resp[got] = 0;
  if (got >= 1 && resp[0] == 'A') {
    errno = saved_errno;
    return 0;
  }
  if (got >= 1 && resp[0] == 'D') {
    char *nl = memchr(resp, '\n', got);
    if (nl) *nl = 0;
    say(resp + 1, NULL, NULL);
  } else {
    say("blocked exec of ", what, ": no answer from the grith session");
  }
  errno = EACCES;
  return -1;
}

/* ---- environment repair, on the stack ---- */

static int has_lib(const char *val) {
  /* LD_PRELOAD entries are separated by ':' or spaces. */
  if (!lib_path) return 1;
  for (const char *p = val; p && *p;) {
    const char *e = p;
    while (*e && *e != ':' && *e != ' ') e++;
    if ((size_t)(e - p) == lib_path_len && memcmp(p, lib_path, lib_path_len) == 0) return 1;
    p = *e ? e + 1 : e;
  }
  return 0;
}

static size_t env_count(char *const envp[]) {
  size_t n = 0;
  if (envp)
    while (envp[n]) n++;
  return n;
}

static const char *env_find(char *const envp[], const char *name, size_t nl) {
  if (!envp) return NULL;
  for (size_t i = 0; envp[i]; i++)
    if (strncmp(envp[i], name, nl) == 0 && envp[i][nl] == '=') return envp[i] + nl + 1;
  return NULL;
}

/* Fill out[] (capacity env_count(envp) + MAX_FORCED + 2) with envp plus what the guard needs.
 * ldbuf must hold ld_len(envp) bytes. */
static size_t ld_len(char *const envp[]) {
  const char *cur = env_find(envp, "LD_PRELOAD", 10);
  return 12 + lib_path_len + 1 + cstrlen(cur) + 1;
}

static void fix_env(char *const envp[], char **out, char *ldbuf) {
  size_t n = 0;
  const char *cur = env_find(envp, "LD_PRELOAD", 10);
  int need_ld = lib_path && !(cur && has_lib(cur));
  if (need_ld) {
    size_t k = 0;
    memcpy(ldbuf, "LD_PRELOAD=", 11);
    k = 11;
    memcpy(ldbuf + k, lib_path, lib_path_len);
    k += lib_path_len;
    if (cur && *cur) {
      ldbuf[k++] = ':';
      memcpy(ldbuf + k, cur, strlen(cur));
      k += strlen(cur);
    }
    ldbuf[k] = 0;
    out[n++] = ldbuf;
  }
  if (envp) {
    for (size_t i = 0; envp[i]; i++) {
      if (need_ld && strncmp(envp[i], "LD_PRELOAD=", 11) == 0) continue;
      int replaced = 0;
      for (int f = 0; f < n_forced; f++) {
        if (forced_always[f] && strncmp(envp[i], forced[f], forced_name_len[f] + 1) == 0) {
          replaced = 1;
          break;
        }
      }
      if (!replaced) out[n++] = envp[i];
    }
  }
  for (int f = 0; f < n_forced; f++) {
    if (forced_always[f] || !env_find(envp, forced[f], forced_name_len[f])) out[n++] = forced[f];
  }
  out[n] = NULL;
}

#define WITH_FIXED_ENV(envp, name)                     \
  char *name##_arr[env_count(envp) + MAX_FORCED + 2]; \
  char name##_ld[ld_len(envp)];                       \
  fix_env(envp, name##_arr, name##_ld);               \
  char **name = name##_arr

/* ---- the exec family ---- */

int execve(const char *path, char *const argv[], char *const envp[]) {
  resolve();
  if (grith_check("execve", path, argv) != 0) return -1;
  WITH_FIXED_ENV(envp, env);
  return real_execve(path, argv, env);
}

int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

int execvpe(const char *file, char *const argv[], char *const envp[]) {
  resolve();
  if (grith_check("execvpe", file, argv) != 0) return -1;
  WITH_FIXED_ENV(envp, env);
  return real_execvpe(file, argv, env);
}

int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) {
  resolve();
  if (grith_check("execveat", path, argv) != 0) return -1;
  WITH_FIXED_ENV(envp, env);
  if (!real_execveat) {
    errno = ENOSYS;
    return -1;
  }
  return real_execveat(dirfd, path, argv, env, flags);
}

int fexecve(int fd, char *const argv[], char *const envp[]) {
  resolve();
  char p[40] = "/proc/self/fd/";
  size_t k = 14;
  k += utoa((unsigned long)(fd < 0 ? 0 : fd), p + k);
  p[k] = 0;
  if (grith_check("fexecve", p, argv) != 0) return -1;
  WITH_FIXED_ENV(envp, env);
  return real_fexecve(fd, argv, env);
}

/* execl*: gather the variadic list into an argv on the stack. */
#define COLLECT_ARGS(arg0, ap, argv)                              \
  size_t argc_ = 1;                                               \
  {                                                               \
    va_list c_;                                                   \
    va_copy(c_, ap);                                              \
    while (va_arg(c_, const char *) != NULL) argc_++;             \
    va_end(c_);                                                   \
  }                                                               \
  char *argv[argc_ + 1];                                          \
  argv[0] = (char *)(arg0);                                       \
  for (size_t i_ = 1; i_ <= argc_; i_++) argv[i_] = va_arg(ap, char *)

int execl(const char *path, const char *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  COLLECT_ARGS(arg, ap, argv);
  va_end(ap);
  return execve(path, argv, environ);
}

int execlp(const char *file, const char *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  COLLECT_ARGS(arg, ap, argv);
  va_end(ap);
  return execvpe(file, argv, environ);
}

int execle(const char *path, const char *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  COLLECT_ARGS(arg, ap, argv);
  char *const *envp = va_arg(ap, char *const *);
  va_end(ap);
  return execve(path, argv, envp);
}

/* ---- posix_spawn: checked in the parent; the result is an error number, not errno ---- */

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                char *const argv[], char *const envp[]) {
  resolve();
  if (grith_check("posix_spawn", path, argv) != 0) return EACCES;
  char *const *src = envp ? envp : environ;
  WITH_FIXED_ENV(src, env);
  return real_posix_spawn(pid, path, fa, attr, argv, env);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                 char *const argv[], char *const envp[]) {
  resolve();
  if (grith_check("posix_spawnp", file, argv) != 0) return EACCES;
  char *const *src = envp ? envp : environ;
  WITH_FIXED_ENV(src, env);
  return real_posix_spawnp(pid, file, fa, attr, argv, env);
}

/* ---- system/popen: glibc runs /bin/sh through its internal __posix_spawn (no PLT), so they are hooked here.
 * The shell they start inherits environ, so environ is repaired first (not async-signal-safe; neither are they). */

static void repair_environ(void) {
  const char *cur = getenv("LD_PRELOAD");
  if (lib_path && !(cur && has_lib(cur))) {
    size_t l = lib_path_len + 1 + cstrlen(cur) + 1;
    char *v = malloc(l);
    if (v) {
      memcpy(v, lib_path, lib_path_len);
      v[lib_path_len] = 0;
      if (cur && *cur) {
        strcat(v, ":");
        strcat(v, cur);
      }
      setenv("LD_PRELOAD", v, 1);
      free(v);
    }
  }
  for (int f = 0; f < n_forced; f++) {
    char name[256];
    size_t nl = forced_name_len[f] < sizeof(name) - 1 ? forced_name_len[f] : sizeof(name) - 1;
    memcpy(name, forced[f], nl);
    name[nl] = 0;
    if (forced_always[f] || !getenv(name)) setenv(name, forced[f] + forced_name_len[f] + 1, 1);
  }
}

int system(const char *cmd) {
  resolve();
  if (cmd == NULL) return real_system(cmd);
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  if (grith_check("system", "/bin/sh", argv) != 0) return -1;
  repair_environ();
  return real_system(cmd);
}

FILE *popen(const char *cmd, const char *mode) {
  resolve();
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  if (grith_check("popen", "/bin/sh", argv) != 0) return NULL;
  repair_environ();
  return real_popen(cmd, mode);
}
