#!/bin/sh
# Builds grith's native parts with the system C compiler: the exec guard (LD_PRELOAD library) and grith-launch (the
# seccomp exec supervisor of the sandboxed session). Idempotent: a part is skipped when up to date.
#   build-native.sh [--force] [execguard] [launch]     (no part named: both)
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
force=0
parts=""
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    execguard | launch) parts="$parts $a" ;;
    *) echo "usage: build-native.sh [--force] [execguard] [launch]" >&2; exit 2 ;;
  esac
done
[ -n "$parts" ] || parts="execguard launch"
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "grith: no C compiler ($cc) found; grith shell needs one to build its exec guard (apt-get install gcc)" >&2
  exit 1
fi
warn="-Wall -Wextra -Wno-unused-parameter -Werror=implicit-int -Werror=int-conversion -Werror=implicit-function-declaration"

# stale OUT SRC…: true when OUT is missing or older than one of the sources (or --force).
stale() {
  out=$1
  shift
  [ "$force" = 1 ] || [ ! -f "$out" ] && return 0
  for s in "$@"; do [ "$s" -nt "$out" ] && return 0; done
  return 1
}

# The compiler writes next to OUT, then one rename: a half-written part is never picked up.
execguard() {
  src="$root/native/execguard/execguard.c"
  out="$root/native/execguard/build/libgrith-execguard.so"
  stale "$out" "$src" || return 0
  mkdir -p "$(dirname "$out")" || return 1
  # -ldl for glibc < 2.34 (dlsym/dladdr).
  "$cc" -O2 -fPIC -shared $warn -o "$out.tmp.$$" "$src" -ldl || return 1
  mv -f "$out.tmp.$$" "$out"
}

launch() {
  dir="$root/native/seccomp"
  out="$dir/build/grith-launch"
  stale "$out" "$dir"/*.c "$dir"/*.h || return 0
  mkdir -p "$(dirname "$out")" || return 1
  # libc and kernel headers only; -pthread for glibc < 2.34 (pthread outside libc).
  "$cc" -O2 -D_FILE_OFFSET_BITS=64 $warn -pthread -o "$out.tmp.$$" "$dir"/*.c || return 1
  mv -f "$out.tmp.$$" "$out"
}

failed=""
for p in $parts; do
  "$p" || failed="$failed $p"
done
if [ -n "$failed" ]; then
  echo "grith: native build failed:$failed" >&2
  exit 1
fi
