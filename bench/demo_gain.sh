#!/usr/bin/env bash
# The SQLite demo's gain, optimizer against optimizer: each servokit-servo given runs the demo's
# servo directory (tools/demo/, budget 20) with the same seeds; then the configuration each one
# reported and SQLite's defaults are re-measured, interleaved, R times each, so that the gain is
# judged by fresh measurements rather than by the search's own (biased, lucky-draw) ones.
#
#   bench/demo_gain.sh [--seeds N] [--repeats R] NAME=SERVO_BINARY [NAME=SERVO_BINARY ...]
#
# e.g. bench/demo_gain.sh old=/tmp/servokit-servo-main new=build/bin/servokit-servo
# Needs sqlite3 and servokit-batch in the same directory as each servo binary's build (or
# $SERVOKIT_BATCH). Prints one line per (seed, name) and the median gain per name; the gain is
# defaults' mean run time / reported configuration's mean run time, both re-measured.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seeds=3
repeats=3
while (($# > 0)); do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    *=*) break ;;
    *) echo "usage: bench/demo_gain.sh [--seeds N] [--repeats R] NAME=SERVO_BINARY ..." >&2; exit 2 ;;
  esac
done
(($# > 0)) || { echo "demo_gain: name at least one NAME=SERVO_BINARY" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "demo_gain: sqlite3 is not installed" >&2; exit 2; }
batch=${SERVOKIT_BATCH:-$here/../build/bin/servokit-batch}
[[ -x $batch ]] || { echo "demo_gain: no servokit-batch at $batch (set SERVOKIT_BATCH)" >&2; exit 2; }

# Arithmetic on decimals (the shell has integers only): calc EXPRESSION.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.txt

# The run time of one workload run with the five PRAGMA values, as the measure driver times it.
time_workload() {
  local dir=$1; shift
  local started ended
  started=$(date +%s.%N)
  (cd "$dir" && ./workload.sh "$@" >/dev/null)
  ended=$(date +%s.%N)
  calc "$ended - $started"
}

for ((seed = 1; seed <= seeds; seed++)); do
  declare -A reported=()
  for spec in "$@"; do
    name=${spec%%=*}
    servo=$(realpath "${spec#*=}")
    dir=$work/$name-$seed
    mkdir -p "$dir"
    cp "$here"/../tools/demo/{config.yaml,workload.sh,schema.sql,single_row_commits.sql,bulk_load.sql} "$dir"/
    sed -i "s/^  seed: .*/  seed: $seed/" "$dir/config.yaml"
    ln -s "$batch" "$dir/adjust"
    ln -s "$batch" "$dir/measure"
    (cd "$dir" && "$servo" --local --report report sqlite-demo </dev/null >run.log 2>&1) ||
      { echo "demo_gain: $name failed on seed $seed:" >&2; tail -5 "$dir/run.log" >&2; exit 1; }
    reported[$name]=$(python3 -c '
import json, sys
best = json.load(open(sys.argv[1]))["settings"]["db"]
print(best["page_size"], best["cache_kib"], best["journal_mode"], best["synchronous"], best["locking_mode"])' "$dir/report/best.json")
  done
  # Re-measure, interleaved: defaults, then each reported configuration, R rounds.
  declare -A sums=()
  defaults_sum=0
  for ((round = 0; round < repeats; round++)); do
    defaults_sum=$(calc "$defaults_sum + $(time_workload "$work/${1%%=*}-$seed" 4096 2000 delete full normal)")
    for spec in "$@"; do
      name=${spec%%=*}
      # shellcheck disable=SC2086  # five words, the PRAGMA values
      sums[$name]=$(calc "${sums[$name]:-0} + $(time_workload "$work/$name-$seed" ${reported[$name]})")
    done
  done
  for spec in "$@"; do
    name=${spec%%=*}
    gain=$(calc "$defaults_sum / ${sums[$name]}")
    printf 'seed %d  %-8s gain %6.2fx  defaults %.3f s  reported %.3f s  (%s)\n' "$seed" "$name" "$gain" \
      "$(calc "$defaults_sum / $repeats")" "$(calc "${sums[$name]} / $repeats")" "${reported[$name]}" |
      tee -a "$results"
  done
  unset reported sums
done
echo "median gain per optimizer (defaults' re-measured time / the reported configuration's):"
for spec in "$@"; do
  name=${spec%%=*}
  grep "  $name " "$results" | sed 's/.*gain *\([0-9.]*\)x.*/\1/' | sort -g |
    awk -v name="$name" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "  %-8s %.2fx over %d seeds\n", name, m, NR }'
done
