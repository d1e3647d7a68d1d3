#!/bin/sh
# servokit-servo speed and memory against a loopback backend that answers at once
# (bench-servo_backend, cpp-httplib), with servokit-batch as both drivers and a job that exits at
# once. Each figure beside its floor, measured in the same run:
#   1. start to HELLO                        (target <= 5 ms;   floors: fork+exec of /bin/true, and
#                                             curl(1) posting HELLO: Debian's libcurl alone)
#   2. one cycle DESCRIBE + ADJUST + MEASURE (target <= 10 ms;  floor: the six driver runs alone)
#   3. the agent's own overhead per operation (target <= 1 ms beyond the drivers' run time)
#   4. peak RSS (target < 6 MiB) and no growth of RSS or open fds over CYCLES cycles (10000)
#
#   bench/servo.sh [build-dir] [cycles]     (default: build; needs hyperfine)
#   ORIGINAL_SERVO=/path/to/servo bench/servo.sh ...   also measures the original Python agent
#   (its `servo` script with python3-requests; run with the same drivers, never committed here)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-"$here/../build"}" && pwd)
cycles=${2:-10000}
if ! log=$(cmake --build "$build" --target servokit-servo servokit-batch bench-servo_backend 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
bin="$build/bin"
bench_bin="$build/bench/bin"
servo=$(mktemp -d)
trap 'rm -rf "$servo"' EXIT
ln -s "$bin/servokit-batch" "$servo/adjust"
ln -s "$bin/servokit-batch" "$servo/measure"
cat > "$servo/config.yaml" <<'YAML'
batch:
  command: "true"
  application:
    components:
      web:
        settings:
          cpu: {min: 1, max: 8, step: 1, default: 2}
YAML

echo "== floor: fork+exec of /bin/true"
hyperfine -N --warmup 20 --runs 500 --export-json "$servo/true.json" /bin/true >/dev/null
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f'/bin/true                          mean {r[\"mean\"]*1e3:8.3f} ms  median {r[\"median\"]*1e3:8.3f} ms')" "$servo/true.json"

echo "== 1. start to HELLO (100 runs); floor: curl(1) posting HELLO (the same libcurl, loaded and initialized)"
"$bench_bin/bench-servo_backend" hello 100 "$servo" /usr/bin/curl -s -o /dev/null -H 'Content-Type: application/json' \
  --data-raw '{"event":"HELLO","param":{"agent":"curl"}}' '{url}' | sed 's/^start to HELLO   /curl: start to HELLO/'
"$bench_bin/bench-servo_backend" hello 100 "$servo" "$bin/servokit-servo"
if [ -n "${ORIGINAL_SERVO:-}" ]; then
  echo "   the original Python agent (20 runs):"
  "$bench_bin/bench-servo_backend" hello 20 "$servo" python3 "$ORIGINAL_SERVO"
fi

echo "== 2, 3. cycles: the drivers alone (the floor), then under the agent (200 cycles, the drivers alone interleaved)"
"$bench_bin/bench-servo_backend" exchange 2000 "$servo" | tee "$servo/exchange.out"
"$bench_bin/bench-servo_backend" cycles 200 "$servo" "$bin/servokit-servo" | tee "$servo/cycles.out"
median() { grep "^$1" "$2" | head -n 1 | awk -F'median' '{split($2, field, " "); print field[1]}'; }
awk -v cycle="$(median cycle "$servo/cycles.out")" -v drivers="$(median "drivers alone" "$servo/cycles.out")" \
    -v exchange="$(median "one exchange" "$servo/exchange.out")" 'BEGIN {
  printf "agent overhead per cycle: %.3f ms (cycle %.3f - drivers %.3f), per operation: %.3f ms   target <= 1 ms\n",
         cycle - drivers, cycle, drivers, (cycle - drivers) / 3
  printf "  of which the 10 exchanges of a cycle at the least: %.3f ms; the loop itself per operation: %.3f ms\n",
         10 * exchange, (cycle - drivers - 10 * exchange) / 3 }'
if [ -n "${ORIGINAL_SERVO:-}" ]; then
  echo "   the original Python agent (20 cycles):"
  "$bench_bin/bench-servo_backend" cycles 20 "$servo" python3 "$ORIGINAL_SERVO"
fi

echo "== 4. $cycles cycles: RSS and open fds after cycle 10 and after the last"
"$bench_bin/bench-servo_backend" cycles "$cycles" "$servo" "$bin/servokit-servo" | tail -n 2
