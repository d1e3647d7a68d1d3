#!/bin/sh
# The lean Release programs (issue 16), each figure beside its floor measured in the same run:
#   1. a driver's --info          <= 1.5x a fork+exec of /bin/true   (hyperfine -N, means)
#   2. the agent, start to HELLO  <= 5 ms against a loopback backend (bench-servo_backend; the
#                                    floors: /bin/true, and curl(1) posting HELLO)
#   3. peak RSS                   agent <= 6 MiB over 20 DESCRIBE+ADJUST+MEASURE cycles;
#                                  drivers <= 4 MiB for --info and for an operation
#   4. the shared objects each program maps at start (the loader's work)
# With a second build directory (e.g. one configured with -DSERVOKIT_LEAN_PROGRAMS=OFF, or main's)
# its programs are measured in the same run, for the before/after.
#
#   bench/lean.sh [build-dir] [other-build-dir]     (default: build, a Release build; needs hyperfine)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-"$here/../build"}" && pwd)
other=${2:-}
[ -n "$other" ] && other=$(cd "$other" && pwd)
drivers="servokit-batch servokit-host servokit-exec servokit-agg servokit-magg"
if ! log=$(cmake --build "$build" --target servokit-servo $drivers bench-servo_backend 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
bin="$build/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A servo directory per build: servokit-batch as adjust and measure, and as the one sub-driver of
# each aggregator (servokit-agg and servokit-magg need at least one).
make_servo() {
  mkdir -p "$1/adjust.d" "$1/measure.d"
  ln -s "$2/servokit-batch" "$1/adjust"
  ln -s "$2/servokit-batch" "$1/measure"
  printf '#!/bin/sh\nexec %s --role adjust "$@"\n' "$2/servokit-batch" > "$1/adjust.d/batch"
  printf '#!/bin/sh\nexec %s --role measure "$@"\n' "$2/servokit-batch" > "$1/measure.d/batch"
  chmod +x "$1/adjust.d/batch" "$1/measure.d/batch"
  cp "$work/config.yaml" "$1/config.yaml"
}
servo="$work/servo"
cat > "$work/config.yaml" <<'YAML'
batch:
  command: "true"
  application:
    components:
      web:
        settings:
          cpu: {min: 1, max: 8, step: 1, default: 2}
YAML
make_servo "$servo" "$bin"
[ -n "$other" ] && make_servo "$work/other-servo" "$other/bin"
export OPTUNE_CONFIG="$servo/config.yaml"
status=0

echo "== 1. a driver's --info against fork+exec of /bin/true (hyperfine -N, 300 runs each)"
# The drivers proper (servokit-batch as ./adjust); the aggregators' --info also runs their
# sub-drivers' --info, so they are not held to the 1.5x.
set -- /bin/true "$servo/adjust --info" "$bin/servokit-host --info" "$bin/servokit-exec --info"
if [ -n "$other" ]; then
  set -- "$@" "$work/other-servo/adjust --info" "$other/bin/servokit-host --info" "$other/bin/servokit-exec --info"
fi
(cd "$servo" && hyperfine -N --warmup 20 --runs 300 --export-json "$work/info.json" "$@" >/dev/null)
python3 - "$work/info.json" <<'PY' || status=1
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["mean"]
print(f"  /bin/true: mean {floor * 1e3:.3f} ms (the floor)")

for r in results[1:]:
    ratio = r["mean"] / floor
    print(f"  {r['command']}: mean {r['mean'] * 1e3:.3f} ms = {ratio:.2f}x the floor")
PY
python3 - "$work/info.json" <<'PY' || status=1
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["mean"]
worst = max(r["mean"] / floor for r in results[1:4])
print(f"  worst of this build: {worst:.2f}x (target <= 1.5x): {'met' if worst <= 1.5 else 'MISSED'}")
sys.exit(0 if worst <= 1.5 else 1)
PY

echo "== 2. start to HELLO, 50 runs; floors: curl(1) posting HELLO, then the agent"
"$build/bench/bin/bench-servo_backend" hello 50 "$servo" /usr/bin/curl -s -o /dev/null -H 'Content-Type: application/json' \
  --data-raw '{"event":"HELLO","param":{"agent":"curl"}}' '{url}' | sed 's/^/  curl: /'
"$build/bench/bin/bench-servo_backend" hello 50 "$servo" "$bin/servokit-servo" | sed 's/^/  servokit-servo: /'
if [ -n "$other" ]; then
  "$build/bench/bin/bench-servo_backend" hello 50 "$servo" "$other/bin/servokit-servo" | sed 's/^/  other servokit-servo: /'
fi

echo "== 3. peak RSS (KiB); floor /bin/true $(/usr/bin/time -f %M /bin/true 2>&1 >/dev/null) KiB"
"$build/bench/bin/bench-servo_backend" cycles 20 "$servo" "$bin/servokit-servo" | grep '^agent RSS' | sed 's/^/  /'
peak=$("$build/bench/bin/bench-servo_backend" cycles 20 "$servo" "$bin/servokit-servo" | sed -n 's/.*; peak \([0-9]*\) KiB.*/\1/p')
echo "  agent peak ${peak} KiB (target <= 6144): $([ "${peak:-99999}" -le 6144 ] && echo met || echo MISSED)"
[ "${peak:-99999}" -le 6144 ] || status=1
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null </dev/null | tail -n 1; }
measure_request='{"metrics": [], "control": {"duration": 0}}'
adjust_request='{"application": {"components": {"web": {"settings": {"cpu": {"value": 3}}}}}}'
for d in $drivers; do
  program="$bin/$d"
  [ "$d" = servokit-batch ] && program="$servo/adjust"
  info=$(cd "$servo" && rss "$program" --info app)
  echo "  $d --info: $info KiB$([ "$info" -le 4096 ] && echo ' (<= 4096: met)' || echo ' (> 4096: MISSED)')"
  [ "$info" -le 4096 ] || status=1
done
op=$(cd "$servo" && echo "$adjust_request" | /usr/bin/time -f %M ./adjust app 2>&1 >/dev/null | tail -n 1)
echo "  servokit-batch adjust: $op KiB$([ "$op" -le 4096 ] && echo ' (met)' || echo ' (MISSED)')"
[ "$op" -le 4096 ] || status=1
op=$(cd "$servo" && echo "$measure_request" | /usr/bin/time -f %M ./measure app 2>&1 >/dev/null | tail -n 1)
echo "  servokit-batch measure: $op KiB$([ "$op" -le 4096 ] && echo ' (met)' || echo ' (MISSED)')"
[ "$op" -le 4096 ] || status=1

echo "== 4. shared objects mapped at start (ldd)"
for p in servokit-servo $drivers; do
  echo "  $p: $(ldd "$bin/$p" | grep -c '=>') -- $(ldd "$bin/$p" | awk '/=>/ {print $1}' | tr '\n' ' ')"
  [ -n "$other" ] && echo "    other: $(ldd "$other/bin/$p" | grep -c '=>')"
done

[ "$status" -eq 0 ] && echo "lean benchmarks: all within the targets" || echo "lean benchmarks: A TARGET MISSED"
exit "$status"
