#!/bin/sh
# Builds grith's native exec guard (LD_PRELOAD library) with the system C compiler; idempotent: skips when up to date.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
src="$root/native/execguard/execguard.c"
out_dir="$root/native/execguard/build"
out="$out_dir/libgrith-execguard.so"
if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "${1:-}" != "--force" ]; then
  exit 0
fi
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "grith: no C compiler ($cc) found; grith shell needs one to build its exec guard (apt-get install gcc)" >&2
  exit 1
fi
mkdir -p "$out_dir"
tmp="$out.tmp.$$"
# -fno-stack-protector is not needed; keep defaults. -ldl for glibc < 2.34 (dlsym/dladdr).
"$cc" -O2 -fPIC -shared -Wall -Wextra -Wno-unused-parameter -Werror=implicit-int -Werror=int-conversion -Werror=implicit-function-declaration -o "$tmp" "$src" -ldl
mv -f "$tmp" "$out"
