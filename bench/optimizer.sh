#!/bin/sh
# The optimizer benchmark (see bench/optimizer_suite.py for the problems, the development set and
# the three held-out sets, the anchors and the scoring), then ask()'s speed.
#
# usage: bench/optimizer.sh [--quick | --full] [build-dir]
#   --quick  the development set, 3 seeds, servokit against random search and multivariate TPE:
#            about a minute, for working on the optimizer
#   --full   (default) every set, 10 seeds, every anchor, budgets 20/30/60: about 80 minutes of one
#            core (the anchors; servokit alone takes about 7 minutes); results in
#            <build-dir>/optimizer-bench/
# The anchors need Debian packages that building servokit does not: tools/install-bench-deps.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=--full
case "${1:-}" in --quick | --full) mode=$1; shift ;; esac
build=${1:-"$here/../build"}
if ! /usr/bin/python3 -c "import optuna, sklearn, scipy, numpy" 2>/dev/null || [ ! -f /usr/include/dlib/global_optimization.h ]; then
  echo "optimizer bench: the anchors are missing; run tools/install-bench-deps.sh (as root)" >&2
  exit 2
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$here/.." -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(cmake --build "$build" --target bench-optimizer 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
program="$build/bench/bin/bench-optimizer"
results="$build/optimizer-bench"
mkdir -p "$results"
status=0
if [ "$mode" = --quick ]; then
  /usr/bin/python3 "$here/optimizer_suite.py" "$program" --quick --out "$results/quick.jsonl" || status=1
else
  /usr/bin/python3 "$here/optimizer_suite.py" "$program" --out "$results/full.jsonl" | tee "$results/full.txt" || status=1
fi
echo "== ask() speed"
"$program" ask-speed || status=1
exit "$status"
