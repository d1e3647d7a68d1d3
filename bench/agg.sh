#!/bin/sh
# servokit-agg and servokit-magg speed and memory, each figure against a floor measured in the
# same run (hyperfine -N, /proc/<pid>/status):
#   1. magg measuring with 32 servokit sub-drivers that answer at once, against the same 32 with the
#      same requests started at once by sh's `&` and `wait`                     (target: +5 ms at most)
#   2. agg --info / --query with 3 sub-drivers, against their own calls back to back  (target: 2x)
#   3. magg --info / --describe with 3 sub-drivers, against the slowest one's call    (target: 2x)
#   4. peak RSS of magg itself (VmHWM) measuring with 32 sub-drivers                  (target: < 6 MiB)
#
#   bench/agg.sh [build-dir]        (default: build, a Release build; needs hyperfine, python3)
#   SERVO_ORIGINALS=dir bench/agg.sh   also times the Python originals on the same sub-drivers:
#     dir holds servo-agg's `adjust` and `util.py`, servo-magg's `measure` (as magg_measure) and
#     servo's `adjust.py` and `measure.py` (from github.com/opsani/servo-agg, servo-magg, servo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
cmake --build "$build" --target servokit-agg servokit-magg test-driver_named_measure test-driver_named_adjust >/dev/null
bin="$build/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=${BENCH_RUNS:-200}

# --- the servo directories --------------------------------------------------------------------
mkdir -p "$work/magg32/measure.d" "$work/magg3/measure.d" "$work/agg3/adjust.d"
ln -s "$bin/servokit-magg" "$work/magg32/measure"
ln -s "$bin/servokit-magg" "$work/magg3/measure"
ln -s "$bin/servokit-agg" "$work/agg3/adjust"
metrics=""
for i in $(seq 100 131); do
  ln -s "$build/tests/bin/test-driver_named_measure" "$work/magg32/measure.d/m$i"
  metrics="$metrics${metrics:+, }\"m$i\""
done
for name in a b c; do
  ln -s "$build/tests/bin/test-driver_named_measure" "$work/magg3/measure.d/$name"
  ln -s "$build/tests/bin/test-driver_named_adjust" "$work/agg3/adjust.d/$name"
done

cd "$work/magg32"
echo '{"control": {"duration": 0}}' > all.json
echo "{\"metrics\": [$metrics], \"control\": {\"duration\": 0}}" > named.json
# The floors: what magg sends each driver, started at once and waited for by sh.
{
  echo '#!/bin/sh'
  for i in $(seq 100 131); do echo "measure.d/m$i app < all.json > /dev/null &"; done
  echo wait
} > floor_measure.sh
{
  echo '#!/bin/sh'
  for i in $(seq 100 131); do echo "measure.d/m$i --describe app > /dev/null &"; done
  echo wait
  for i in $(seq 100 131); do echo "echo '{\"control\": {\"duration\": 0}, \"metrics\": [\"m$i\"]}' | measure.d/m$i app > /dev/null &"; done
  echo wait
} > floor_describe_measure.sh
chmod +x floor_measure.sh floor_describe_measure.sh

echo "== 1. magg with 32 sub-drivers against sh starting the same 32 at once"
# hyperfine 1.15 has no --input: the request goes in through a script that execs magg with it,
# paying the same sh start as the floor scripts.
printf '#!/bin/sh\nexec ./measure app < all.json > /dev/null\n' > magg_all.sh
printf '#!/bin/sh\nexec ./measure app < named.json > /dev/null\n' > magg_named.sh
chmod +x magg_all.sh magg_named.sh
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/magg32.json" "./floor_measure.sh" "./magg_all.sh" >/dev/null
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/magg32_named.json" \
  "./floor_measure.sh" "./floor_describe_measure.sh" "./magg_named.sh" >/dev/null

echo "== 4. peak RSS of magg itself, measuring with 32 sub-drivers"
echo '{"control": {"duration": 0.3}}' > slow.json
python3 - "$work/magg32" > "$work/rss.txt" <<'PY'
import subprocess, sys, time
def peak(pid):
    hwm = 0
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"): hwm = int(line.split()[1])
    except OSError: pass
    return hwm
best = 0
for _ in range(5):
    p = subprocess.Popen(["./measure", "app"], stdin=open("slow.json"), stdout=subprocess.DEVNULL, cwd=sys.argv[1])
    seen = 0
    while p.poll() is None:
        seen = max(seen, peak(p.pid)); time.sleep(0.001)
    best = max(best, seen)
floor = subprocess.run(["/usr/bin/time", "-f", "%M", "/bin/true"], capture_output=True, text=True).stderr.split()[-1]
print(best, floor)
PY

echo "== 2. agg --info / --query with 3 sub-drivers against their calls back to back"
cd "$work/agg3"
printf '#!/bin/sh\nadjust.d/a --info >/dev/null; adjust.d/b --info >/dev/null; adjust.d/c --info >/dev/null\n' > b2b_info.sh
printf '#!/bin/sh\nadjust.d/a --query app >/dev/null; adjust.d/b --query app >/dev/null; adjust.d/c --query app >/dev/null\n' > b2b_query.sh
chmod +x b2b_info.sh b2b_query.sh
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/agg3.json" \
  "./b2b_info.sh" "./adjust --info" "./b2b_query.sh" "./adjust --query app" >/dev/null

echo "== 3. magg --info / --describe with 3 sub-drivers against the slowest sub-driver's call"
cd "$work/magg3"
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/magg3.json" \
  "measure.d/a --info" "measure.d/b --info" "measure.d/c --info" "./measure --info" \
  "measure.d/a --describe app" "measure.d/b --describe app" "measure.d/c --describe app" "./measure --describe app" >/dev/null

# --- the Python originals on the same sub-drivers, when given --------------------------------
if [ -n "${SERVO_ORIGINALS:-}" ]; then
  echo "== the originals (Python) on the same sub-drivers"
  for dir in agg3 magg3 magg32; do
    mkdir -p "$work/orig-$dir"
    cp -r "$work/$dir/"*.d "$work/orig-$dir/"
    cp "$SERVO_ORIGINALS/adjust.py" "$SERVO_ORIGINALS/measure.py" "$SERVO_ORIGINALS/util.py" "$work/orig-$dir/"
  done
  cp "$SERVO_ORIGINALS/adjust" "$work/orig-agg3/adjust"
  cp "$SERVO_ORIGINALS/magg_measure" "$work/orig-magg3/measure"
  cp "$SERVO_ORIGINALS/magg_measure" "$work/orig-magg32/measure"
  cp "$work/magg32/all.json" "$work/magg32/magg_all.sh" "$work/orig-magg32/"
  (cd "$work/orig-agg3" && hyperfine -N --warmup 3 --runs 20 --export-json "$work/orig-agg3.json" \
    "./adjust --info" "./adjust --query app" >/dev/null)
  (cd "$work/orig-magg3" && hyperfine -N --warmup 3 --runs 20 --export-json "$work/orig-magg3.json" \
    "./measure --info" "./measure --describe app" >/dev/null)
  # -i: servo-magg raises KeyError at the merge when a driver returns no annotations (these
  # don't), after running all 32; the time is still that of the whole run.
  (cd "$work/orig-magg32" && hyperfine -N -i --warmup 1 --runs 10 --export-json "$work/orig-magg32.json" \
    "./magg_all.sh" >/dev/null)
fi

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
def results(name):
    path = os.path.join(work, name + ".json")
    return {r["command"]: r for r in json.load(open(path))["results"]} if os.path.exists(path) else {}
ms = lambda seconds: f"{seconds * 1e3:7.2f} ms"
status = 0
def verdict(ok):
    global status
    status |= 0 if ok else 1
    return "ok" if ok else "MISSED"

print("\n== figures (means)")
r = results("magg32")
floor, magg = r["./floor_measure.sh"]["mean"], r["./magg_all.sh"]["mean"]
print(f"1. magg, 32 drivers, no metrics named : {ms(magg)}  floor (sh & wait) {ms(floor)}  {(magg - floor) * 1e3:+.2f} ms   target +5 ms: {verdict(magg - floor <= 0.005)}")
r = results("magg32_named")
floor, floor2, magg = (r[c]["mean"] for c in ("./floor_measure.sh", "./floor_describe_measure.sh", "./magg_named.sh"))
print(f"   magg, 32 drivers, 32 metrics named  : {ms(magg)}  floor (sh & wait) {ms(floor)}  {(magg - floor) * 1e3:+.2f} ms; "
      f"with the --describe round magg needs to split the metrics, floor {ms(floor2)}  {(magg - floor2) * 1e3:+.2f} ms")
orig = results("orig-magg32")
if orig: print(f"   original servo-magg, 32 drivers     : {ms(orig['./magg_all.sh']['mean'])} (ends in its KeyError on a result without annotations)")
hwm, true_kib = open(os.path.join(work, "rss.txt")).read().split()
print(f"4. magg peak RSS (VmHWM), 32 drivers   : {int(hwm) / 1024:5.2f} MiB  (/bin/true {int(true_kib) / 1024:.2f} MiB)   target < 6 MiB: {verdict(int(hwm) < 6 * 1024)}")

r = results("agg3"); orig = results("orig-agg3")
for call, floor_name in (("./adjust --info", "./b2b_info.sh"), ("./adjust --query app", "./b2b_query.sh")):
    mine, floor = r[call]["mean"], r[floor_name]["mean"]
    extra = f"   original servo-agg {ms(orig[call]['mean'])}" if orig else ""
    print(f"2. agg {call[9:]:14s}: {ms(mine)}  floor (3 calls back to back) {ms(floor)}  {mine / floor:4.2f}x   target 2x: {verdict(mine <= 2 * floor)}{extra}")
r = results("magg3"); orig = results("orig-magg3")
for call, kind in (("./measure --info", "--info"), ("./measure --describe app", "--describe app")):
    mine = r[call]["mean"]
    floor = max(r[f"measure.d/{d} {kind}"]["mean"] for d in "abc")
    extra = f"   original servo-magg {ms(orig[call]['mean'])}" if orig else ""
    print(f"3. magg {kind:14s}: {ms(mine)}  floor (slowest sub-driver) {ms(floor)}  {mine / floor:4.2f}x   target 2x: {verdict(mine <= 2 * floor)}{extra}")
print("agg/magg benchmarks:", "all within limits" if status == 0 else "LIMIT MISSED")
sys.exit(status)
PY
