#!/usr/bin/env bash
# Builds servokit's agent and batch driver, then optimizes a real program on this machine with
# nothing else installed: SQLite (Debian's sqlite3) taking an insert-heavy load, tuned over its
# PRAGMAs (page_size, cache_size, journal_mode, synchronous, locking_mode) to minimize the run
# time. servokit-batch is the adjust and measure driver; `servokit-servo --local` runs the
# optimizer in process, shows the live progress, and ends with the best settings against
# SQLite's defaults and where the report and plot are. The dashboard shows the study live in a
# browser, at the URL printed first (a free loopback port).
#
#   tools/demo.sh [--budget N]       (default budget: 20 measurements, the defaults included)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source_dir=$PWD
unset OPTUNE_CONFIG   # the demo reads its own servo directory's config.yaml

budget_arguments=()
if (($# > 0)); then
  if [[ $1 == --budget && $# == 2 ]]; then
    budget_arguments=(--budget "$2")
  else
    echo "usage: tools/demo.sh [--budget N]" >&2
    exit 2
  fi
fi

fail() {
  echo "demo: $*" >&2
  exit 1
}

command -v sqlite3 >/dev/null || fail "sqlite3 is not installed: run ./tools/install-deps.sh first (as root)"

echo "demo: building servokit-servo, servokit-batch and servokit-optimizer (Release, build/)"
if ! cmake --preset default >build-demo-configure.log 2>&1; then
  cat build-demo-configure.log >&2
  fail "configuring the build failed (above); run ./tools/install-deps.sh first"
fi
rm -f build-demo-configure.log
cmake --build --preset default --target servokit-servo servokit-batch servokit-optimizer ||
  fail "the build failed (above); run ./tools/install-deps.sh first, then this script again"

# A fresh servo directory for every run: drivers, the workload, config.yaml. The study and the
# report live in it too, so a run interrupted with Ctrl-C resumes when started in that directory:
#   cd build/demo/<run> && ../../bin/servokit-servo --local --report report sqlite-demo
run_dir=build/demo/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
ln -sfn "$(basename "$run_dir")" build/demo/latest
cp tools/demo/config.yaml tools/demo/workload.sh tools/demo/schema.sql tools/demo/single_row_commits.sql \
  tools/demo/bulk_load.sql "$run_dir"/
ln -s ../../bin/servokit-batch "$run_dir/adjust"
ln -s ../../bin/servokit-batch "$run_dir/measure"
cd "$run_dir"

echo "demo: optimizing SQLite's PRAGMAs for an insert-heavy load in $run_dir"
echo "demo: (150 single-row commits, then 60,000 rows through an index; objective: total_runtime)"
./adjust --query sqlite-demo >/dev/null || fail "the adjust driver cannot read $run_dir/config.yaml"

# The dashboard on a free loopback port: the study live in a browser while it runs.
dashboard_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dashboard_url="http://127.0.0.1:$dashboard_port/studies/sqlite-demo"
echo "demo: watch it live in a browser: $dashboard_url"
if [[ -t 0 && -t 1 ]]; then
  # On a terminal there is time to open the page first (it connects by itself once the run starts).
  read -r -t 30 -p "demo: press Enter to start (or wait 30 s) " || echo
fi
../../bin/servokit-servo --local --report report --dashboard "127.0.0.1:$dashboard_port" "${budget_arguments[@]}" \
  sqlite-demo | tee summary.txt

python3 - <<'PY' || true
import json
best = json.load(open("report/best.json"))
if best.get("objective") is not None and best.get("baseline") is not None:
    print(f"\ndemo: SQLite's defaults took {best['baseline']:.2f} s, the best settings found {best['objective']:.2f} s "
          f"({best['baseline'] / best['objective']:.1f}x faster)")
PY
echo "demo: the report is in $source_dir/$run_dir/report/ (trials.jsonl, trials.csv, best.json)"
if [[ -f report/convergence.png ]]; then
  echo "demo: the convergence plot is $source_dir/$run_dir/report/convergence.png"
fi
echo "demo: the application was left in the best configuration ($run_dir/_state.yaml)"

if [[ -t 0 && -t 1 ]]; then
  # The finished study stays on the dashboard, served from the study file, until Enter.
  ../../bin/servokit-optimizer --listen 127.0.0.1:0 --config config.yaml --study servokit-study.sqlite \
    --dashboard "127.0.0.1:$dashboard_port" >/dev/null 2>optimizer.log &
  viewer=$!
  trap 'kill "$viewer" 2>/dev/null || true' EXIT
  read -r -p "demo: the finished study stays at $dashboard_url until you press Enter " || true
  kill "$viewer" 2>/dev/null || true
  wait "$viewer" 2>/dev/null || true
fi
