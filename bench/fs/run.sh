#!/usr/bin/env bash
# grith mount benchmark: the same workloads on SOURCE directly and through a grith mount with 100 canaries
# (write scanning on), printed as a table with mount/native ratios. Needs `npm run build` first. Run as a user who
# may mount FUSE; dropping the page cache (cold reads) needs root, and is skipped otherwise.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$ROOT/dist/commands/mount.js" ] || { echo "run npm run build first" >&2; exit 2; }
SIZE_MB=${SIZE_MB:-512}
FILES=${FILES:-5000}
GIT_FILES=${GIT_FILES:-2000}
STATUS_RUNS=${STATUS_RUNS:-10}

BASE=$(mktemp -d "${TMPDIR:-/tmp}/grith-bench-XXXXXX")
export GRITH_HOME=$BASE/home
SRC=$BASE/src MNT=$BASE/mnt
mkdir -p "$SRC" "$MNT"
MOUNT_PID=
cleanup() {
  if [ -n "$MOUNT_PID" ]; then kill -TERM "$MOUNT_PID" 2>/dev/null || true; wait "$MOUNT_PID" 2>/dev/null || true; fi
  grep -q " $MNT " /proc/self/mountinfo && fusermount -uz "$MNT" || true
  rm -rf "$BASE"
}
trap cleanup EXIT

node "$ROOT/bench/fs/setup-canaries.mjs" 100 >/dev/null
node "$ROOT/bin/run.js" mount "$SRC" "$MNT" --json > "$BASE/mount.log" 2>&1 &
MOUNT_PID=$!
for _ in $(seq 200); do grep -q '"mounted"' "$BASE/mount.log" && break; sleep 0.05; done
grep -q '"mounted"' "$BASE/mount.log" || { cat "$BASE/mount.log"; exit 1; }

head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$BASE/rand.bin"
export GIT_CONFIG_NOSYSTEM=1 HOME=$BASE GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@x GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@x

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
can_drop() { [ -w /proc/sys/vm/drop_caches ] && sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; }

mkfiles() { # dir count size: nested 50 folders
  python3 - "$1" "$2" "$3" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
blob = os.urandom(size)
per = max(1, n // 50)
for i in range(n):
    sub = os.path.join(d, 'd%02d' % (i // per), 's%d' % (i % 3))
    if not os.path.isdir(sub): os.makedirs(sub)
    with open(os.path.join(sub, 'f%05d.txt' % i), 'wb') as f: f.write(blob)
PY
}

declare -A R
run_all() { # label dir
  local L=$1 D=$2 t
  mkdir -p "$D"
  t=$(now); dd if="$BASE/rand.bin" of="$D/big" bs=1M status=none; R[$L,write]=$(echo "$SIZE_MB / $(elapsed "$t")" | bc -l)
  # First read after the write: through the mount it goes to grith (the write changed mtime, so auto_cache
  # dropped the kernel cache); from the third read on the kernel cache serves it, the steady state of a build.
  t=$(now); dd if="$D/big" of=/dev/null bs=1M status=none; R[$L,read_first]=$(echo "$SIZE_MB / $(elapsed "$t")" | bc -l)
  dd if="$D/big" of=/dev/null bs=1M status=none # auto_cache keeps the kernel cache from the next open on
  t=$(now); dd if="$D/big" of=/dev/null bs=1M status=none; R[$L,read_warm]=$(echo "$SIZE_MB / $(elapsed "$t")" | bc -l)
  if can_drop; then t=$(now); dd if="$D/big" of=/dev/null bs=1M status=none; R[$L,read_cold]=$(echo "$SIZE_MB / $(elapsed "$t")" | bc -l); else R[$L,read_cold]=0; fi
  rm -f "$D/big"
  t=$(now); mkfiles "$D/tree" "$FILES" 1024; R[$L,create]=$(elapsed "$t")
  t=$(now); find "$D/tree" | wc -l >/dev/null; R[$L,find]=$(elapsed "$t")
  t=$(now); tar cf - -C "$D" tree | wc -c >/dev/null; R[$L,tar]=$(elapsed "$t")
  mkdir -p "$D/repo"; mkfiles "$D/repo" "$GIT_FILES" 600; git -C "$D/repo" init -q -b main
  t=$(now); (cd "$D/repo" && git add -A && git commit -qm init); R[$L,commit]=$(elapsed "$t")
  git -C "$D/repo" status --porcelain >/dev/null
  t=$(now); for _ in $(seq "$STATUS_RUNS"); do git -C "$D/repo" status --porcelain >/dev/null; done; R[$L,status]=$(echo "$(elapsed "$t") / $STATUS_RUNS" | bc -l)
  git -C "$D/repo" -c core.untrackedCache=true status --porcelain >/dev/null
  t=$(now); for _ in $(seq "$STATUS_RUNS"); do git -C "$D/repo" -c core.untrackedCache=true status --porcelain >/dev/null; done
  R[$L,status_uc]=$(echo "$(elapsed "$t") / $STATUS_RUNS" | bc -l)
}

run_all native "$SRC/native"
run_all mount "$MNT/viamount"

row() { # name key unit kind(rate|time) target
  local n=${R[native,$2]} m=${R[mount,$2]} ratio
  if [ "$4" = rate ]; then ratio=$(echo "if ($n > 0) $m / $n else 0" | bc -l); else ratio=$(echo "$m / $n" | bc -l); fi
  printf '| %-40s | %10.3f | %10.3f | %6.2fx | %-28s |\n' "$1 ($3)" "$n" "$m" "$ratio" "$5"
}
echo
echo "grith mount benchmark: ${SIZE_MB} MiB sequential, ${FILES} x 1 KiB files, git tree of ${GIT_FILES} files, 100 canaries"
echo "| workload                                 |     native |      mount |  ratio | target                       |"
echo "|------------------------------------------|------------|------------|--------|------------------------------|"
row "sequential write dd bs=1M" write "MB/s" rate "mount >= 400 MB/s"
row "sequential read, right after write" read_first "MB/s" rate ""
row "sequential read, 3rd pass (cache warm)" read_warm "MB/s" rate ">= 0.7x native"
if [ "${R[native,read_cold]}" != 0 ]; then row "sequential read, caches dropped" read_cold "MB/s" rate ">= 0.7x native"; fi
row "create ${FILES} x 1 KiB (nested)" create "s" time "<= 6x native"
row "find" find "s" time ""
row "tar cf - | wc -c" tar "s" time ""
row "git add -A && commit (${GIT_FILES})" commit "s" time ""
row "git status (mean of ${STATUS_RUNS})" status "s" time "<= 2x native"
row "git status, core.untrackedCache" status_uc "s" time "<= 2x native"
echo "(ratio: mount/native for rates, mount time/native time for times)"
