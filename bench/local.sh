#!/bin/sh
# The local optimization backend's speed and memory, each figure beside its floor from the same run:
#   1. the loop's own cost per trial at trial 200, in process, without drivers: ask(), bookkeeping,
#      the SQLite commit and the report line            (target: within 5 ms; ask() alone shown apart)
#   2. servokit-servo --local, 200 trials of a job that exits at once: wall time per trial beyond
#      the drivers' own runs (floor: the same four driver runs per trial, without the agent), and
#      its peak RSS, the drivers included                (target: < 16 MiB)
#   3. servokit-optimizer serving 8 apps at once, 30 trials each: reply times by kind (target: within
#      2 ms), the replies to progress events (no work) as the HTTP floor; the last result of each
#      app also renders its plot (gnuplot, about 0.2 s), which shows in the maximum
#
#   bench/local.sh [build-dir]       (default: build; Release recommended)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-"$here/../build"}" && pwd)
if ! log=$(cmake --build "$build" --target servokit-servo servokit-batch servokit-optimizer bench-local_backend 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
bin="$build/bin"
bench_bin="$build/bench/bin"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== 1. the loop's own cost per trial, in process (study file and report on disk)"
mkdir "$work/session"
"$bench_bin/bench-local_backend" session "$work/session" 200

echo "== 2. servokit-servo --local, 200 trials, servokit-batch running a job that exits at once"
servo="$work/servo"
mkdir "$servo"
ln -s "$bin/servokit-batch" "$servo/adjust"
ln -s "$bin/servokit-batch" "$servo/measure"
cat > "$servo/config.yaml" <<'YAML'
batch:
  command: "true"
  application:
    components:
      web:
        settings:
          cpu: {min: 1, max: 64, step: 1, default: 2}
          mem: {min: 64, max: 8192, step: 64, default: 256}
          mode: {type: enum, values: [a, b, c, d], default: a}
optimization:
  objective: {metric: total_runtime, goal: minimize}
  budget: 200
  seed: 1
YAML
# The floor runs in a copy, so that its adjust does not change the agent's baseline.
cp -P -r "$servo" "$work/servo-floor"
"$bench_bin/bench-local_backend" drivers "$work/servo-floor" 200 | tee "$work/drivers.out"
# Without --report: gnuplot (a child, ~22 MiB with cairo) would be the peak /usr/bin/time reports,
# which is the largest of the agent and every child it waited for (the drivers included).
(cd "$servo" && /usr/bin/time -f '%e %M' -o "$work/local.time" "$bin/servokit-servo" --local --study study.sqlite \
  app > "$work/local.out" 2> "$work/local.err") || { cat "$work/local.err" >&2; exit 1; }
tail -n 4 "$work/local.out"
read wall_seconds peak_kib < "$work/local.time"
# The floor's mean, not its median: the agent's figure is a mean (its wall time over 200 trials).
drivers_ms=$(awk '/^drivers alone, mean per trial/ { print $(NF - 1) }' "$work/drivers.out")
awk -v wall="$wall_seconds" -v drivers="$drivers_ms" -v kib="$peak_kib" 'BEGIN {
  per_trial = wall * 1000 / 200
  printf "per trial %.3f ms (mean), of which the drivers alone %.3f ms (mean): the agent and backend %.3f ms   target <= 5 ms\n",
         per_trial, drivers, per_trial - drivers
  printf "peak RSS of servokit-servo --local (the largest of it and its drivers): %.1f MiB   target < 16 MiB\n", kib / 1024 }'

echo "== 3. servokit-optimizer, 8 apps at once, 30 trials each"
mkdir "$work/server"
printf 'optimization:\n  objective: {metric: total_runtime, goal: minimize}\n  budget: 30\n' > "$work/server/config.yaml"
(cd "$work/server" && exec "$bin/servokit-optimizer" --listen 127.0.0.1:0 --config config.yaml --study study.sqlite \
  --report reports > out 2> err) &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/server/out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's|.*\(http://[^/]*\)/.*|\1|p' "$work/server/out")
"$bench_bin/bench-local_backend" server "$url" 8 30
