#!/bin/sh
# Benchmarks of the process layer (servokit::process), each against a floor measured in the same
# run. usage: bench/process.sh [build-dir]   (default: build; builds the two bench programs)
#   spawn: process::run of /bin/true within 1.5x of a bare posix_spawn + waitpid
#   read:  1 GiB of child output read as lines at >= 500 MB/s, peak RSS < 16 MiB
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
if ! log=$(cmake --build "$build" --target bench-process_spawn bench-process_read 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
bin="$build/bin"
bench_bin="$build/bench/bin"
status=0

echo "== spawn and wait"
"$bench_bin/bench-process_spawn" || status=1

echo "== read lines"
# /usr/bin/time -v sees this process's own peak RSS (the writer child is measured separately by
# the kernel and is smaller anyway).
/usr/bin/time -v "$bench_bin/bench-process_read" 1024 100 2>"$build/process-read.time" || status=1
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$build/process-read.time" | sed 's/^\s*/  time -v: /'
"$bench_bin/bench-process_read" 1024 1000 | sed -n '1p;3p' || status=1

[ "$status" -eq 0 ] && echo "process benchmarks: all within limits" || echo "process benchmarks: LIMIT MISSED"
exit "$status"
