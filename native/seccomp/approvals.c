/* The approvals channel (native/seccomp/README.md): the session pushes, before it answers "allow" to anyone, the exact
 * request it just judged clean; an exec whose path and argv are byte for byte one of those goes on without a second
 * round trip. A GXF record (the store changed, the session is ending) forgets them all. Only the main thread of the
 * supervisor touches this (the cache is not locked).
 *
 * Why this is sound: the session's verdict on an exec is a function of its path, its argv and the canary store alone,
 * so an approval is only ever a copy of a clean verdict under the current store, whoever asked for it (the pid in a
 * frame is whatever the asker wrote, so it is not part of the key). The one relaxation: an approval for a bare name
 * (execvp's "touch") also matches DIR/touch, since glibc's PATH search makes those syscalls; the directory part is not
 * scanned there, as the library alone never scanned it either. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"

#define BUCKETS 1024
#define MAX_ENTRIES 4096
#define MAX_BYTES (16u << 20)
#define MAX_RECORD (1u << 20)
#define TTL_MS 60000

struct approval {
  struct approval *next; /* bucket chain */
  struct approval *older, *newer;
  uint64_t hash;
  uint64_t at_ms;
  size_t path_len, tail_len; /* both with their NULs */
  char *path, *tail;
};

static int chan = -1;
static struct buf pending; /* bytes read, not yet a whole record */
static struct approval *bucket[BUCKETS];
static struct approval *oldest, *newest;
static size_t n_entries, n_bytes;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
  return h;
}

static void unlink_entry(struct approval *a) {
  struct approval **pp = &bucket[a->hash % BUCKETS];
  while (*pp && *pp != a) pp = &(*pp)->next;
  if (*pp) *pp = a->next;
  if (a->older) a->older->newer = a->newer;
  else oldest = a->newer;
  if (a->newer) a->newer->older = a->older;
  else newest = a->older;
  n_entries--;
  n_bytes -= a->path_len + a->tail_len;
  free(a->path);
  free(a->tail);
  free(a);
}

static void forget_all(void) {
  while (oldest) unlink_entry(oldest);
}

static void push_newest(struct approval *a) {
  a->older = newest;
  a->newer = NULL;
  if (newest) newest->newer = a;
  else oldest = a;
  newest = a;
}

static void add(const char *path, size_t path_len, const char *tail, size_t tail_len) {
  uint64_t h = fnv1a(tail, tail_len);
  for (struct approval *a = bucket[h % BUCKETS]; a; a = a->next) {
    if (a->hash == h && a->tail_len == tail_len && a->path_len == path_len && memcmp(a->tail, tail, tail_len) == 0 &&
        memcmp(a->path, path, path_len) == 0) {
      /* Seen again: it becomes the newest. */
      a->at_ms = now_ms();
      if (a != newest) {
        if (a->older) a->older->newer = a->newer;
        else oldest = a->newer;
        a->newer->older = a->older;
        push_newest(a);
      }
      return;
    }
  }
  struct approval *a = calloc(1, sizeof(*a));
  if (!a) return;
  a->path = malloc(path_len);
  a->tail = malloc(tail_len);
  if (!a->path || !a->tail) {
    free(a->path);
    free(a->tail);
    free(a);
    return;
  }
  memcpy(a->path, path, path_len);
  memcpy(a->tail, tail, tail_len);
  a->path_len = path_len;
  a->tail_len = tail_len;
  a->hash = h;
  a->at_ms = now_ms();
  a->next = bucket[h % BUCKETS];
  bucket[h % BUCKETS] = a;
  push_newest(a);
  n_entries++;
  n_bytes += path_len + tail_len;
  while (oldest && (n_entries > MAX_ENTRIES || n_bytes > MAX_BYTES)) unlink_entry(oldest);
}

/* The field after the one at q (records end with a NUL), or NULL past the end. */
static const char *next_field(const char *q, const char *end) {
  const char *nul = q < end ? memchr(q, 0, (size_t)(end - q)) : NULL;
  return nul && nul + 1 < end ? nul + 1 : NULL;
}

/* One record's payload: "GX1\0kind\0pid\0ppid\0path\0argc\0argv…" or "GXF\0". 0, or -1 when malformed. */
static int take_record(const char *p, size_t n) {
  if (n == 4 && memcmp(p, "GXF", 4) == 0) {
    forget_all();
    return 0;
  }
  if (n < 4 || memcmp(p, "GX1", 4) != 0 || p[n - 1] != 0) return -1;
  const char *end = p + n;
  const char *path = p;
  for (int i = 0; i < 4 && path; i++) path = next_field(path, end); /* past magic, kind, pid, ppid */
  const char *tail = path ? next_field(path, end) : NULL;
  if (!tail) return -1;
  /* argc must count the fields after it, as the session's own parser insists. */
  char *stop;
  unsigned long argc = strtoul(tail, &stop, 10);
  if (*stop != 0 || stop == tail) return -1;
  unsigned long fields = 0;
  for (const char *q = stop + 1; q < end; q = (const char *)memchr(q, 0, (size_t)(end - q)) + 1) fields++;
  if (fields != argc) return -1;
  add(path, (size_t)(tail - path), tail, (size_t)(end - tail));
  return 0;
}

static void close_channel(void) {
  if (chan >= 0) close(chan);
  chan = -1;
  buf_free(&pending);
  forget_all();
}

void approvals_init(int fd) { chan = fd; }

int approvals_fd(void) { return chan; }

void approvals_drain(void) {
  while (chan >= 0) {
    char chunk[65536];
    ssize_t r = recv(chan, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (r <= 0 || buf_put(&pending, chunk, (size_t)r) != 0) {
      close_channel(); /* the session is gone (or memory is): no shortcut from now on */
      return;
    }
    size_t off = 0;
    while (pending.len - off >= 4) {
      const unsigned char *h = (const unsigned char *)pending.p + off;
      uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
      if (len > MAX_RECORD) {
        close_channel();
        return;
      }
      if (pending.len - off - 4 < len) break;
      if (take_record(pending.p + off + 4, len) != 0) {
        close_channel();
        return;
      }
      off += 4 + (size_t)len;
    }
    memmove(pending.p, pending.p + off, pending.len - off);
    pending.len -= off;
  }
}

static int path_matches(const struct approval *a, const struct exec_call *c) {
  if (a->path_len == c->path.len && memcmp(a->path, c->path.p, a->path_len) == 0) return 1;
  /* Bare name approved (execvp & co.): the syscall names DIR/name. */
  size_t name = a->path_len - 1;
  if (name == 0 || memchr(a->path, '/', name) || c->path.len < name + 2) return 0;
  const char *tail = c->path.p + c->path.len - 1 - name;
  return tail[-1] == '/' && memcmp(tail, a->path, name) == 0;
}

int approvals_match(const struct exec_call *c) {
  if (chan < 0 && !oldest) return 0;
  uint64_t h = fnv1a(c->tail.p, c->tail.len);
  uint64_t now = now_ms();
  for (struct approval *a = bucket[h % BUCKETS]; a; a = a->next) {
    if (a->hash != h || a->tail_len != c->tail.len || memcmp(a->tail, c->tail.p, a->tail_len) != 0) continue;
    if (now - a->at_ms > TTL_MS) continue;
    if (path_matches(a, c)) return 1;
  }
  return 0;
}
