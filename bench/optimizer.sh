#!/bin/sh
# The optimizer benchmark: servokit's ask/tell search against random search (the floor) and
# Optuna's TPE (the anchor) on the synthetic suite of bench/optimizer.cpp, 30 measurements, the
# same seeds and noise draws for every method; then ask() after 200 trials with 10 settings.
# usage: bench/optimizer.sh [build-dir] [seeds]   (default: build, 10; builds bench-optimizer)
# TPE needs Debian's python3-optuna (apt-get install python3-optuna), for this benchmark only;
# without it the TPE columns are left out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
seeds=${2:-10}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$here/.." -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(cmake --build "$build" --target bench-optimizer 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
program="$build/bench/bin/bench-optimizer"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "== search quality: normalized regret of the reported best (0 = optimum, 1 = no better than the baseline)"
"$program" table "$seeds" >"$results/servokit.jsonl"
if /usr/bin/python3 -c "import optuna" 2>/dev/null; then
  /usr/bin/python3 "$here/optimizer_tpe.py" "$program" "$seeds" >"$results/tpe.jsonl"
else
  echo "(python3-optuna is not installed: no TPE columns; apt-get install python3-optuna)"
  : >"$results/tpe.jsonl"
fi
status=0
python3 - "$results/servokit.jsonl" "$results/tpe.jsonl" <<'PY' || status=1
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
tpe = {row["function"]: row["tpe"] for row in map(json.loads, open(sys.argv[2]))}
def cell(values):
    return "%6.3f %6.3f" % (statistics.median(values), max(values)) if values else "     -      -"
print("%-18s %-19s %-13s   %-13s   %-13s   %-8s %s" % ("function", "kind", "servokit", "random", "TPE",
      "beat rnd", "vs TPE (median)"))
print("%-18s %-19s %-13s   %-13s   %-13s" % ("", "", "median  worst", "median  worst", "median  worst"))
missed = []
for row in rows:
    ours, rnd, theirs = row["servokit"], row["random"], tpe.get(row["function"], [])
    beat = sum(1 for a, b in zip(ours, rnd) if a < b or a == b == 0)
    versus = ""
    if theirs:
        m, t = statistics.median(ours), statistics.median(theirs)
        versus = "better" if m < t - 1e-12 else "equal" if abs(m - t) <= 1e-12 else "worse"
    print("%-18s %-19s %s   %s   %s   %2d/%-5d %s" % (row["function"], row["kind"], cell(ours), cell(rnd), cell(theirs),
                                                   beat, len(ours), versus))
    if beat < 9 * len(ours) / 10:
        missed.append("%s: beat random on %d of %d seeds" % (row["function"], beat, len(ours)))
    if row["kind"] == "smooth":
        # Within 5% of the optimum's value: the regret times the baseline's gap, over the optimum.
        gap = statistics.median(ours) * abs(row["baseline"] - row["optimum"]) / abs(row["optimum"])
        print("%-18s   median best within %.1f%% of the optimum (goal: 5%%)" % ("", 100 * gap))
        if gap > 0.05:
            missed.append("%s: median best %.1f%% from the optimum" % (row["function"], 100 * gap))
print("(beat rnd: seeds where servokit's reported best is truly better than random search's, or both optimal)")
for line in missed:
    print("GOAL MISSED: " + line)
sys.exit(1 if missed else 0)
PY

echo "== ask() speed"
"$program" ask-speed || status=1
[ "$status" -eq 0 ] && echo "optimizer benchmarks: all goals met" || echo "optimizer benchmarks: GOAL MISSED"
exit "$status"
