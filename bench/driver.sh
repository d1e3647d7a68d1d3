#!/bin/sh
# Benchmarks of a generated driver program (servokit::run), against floors measured in the same
# run. usage: bench/driver.sh [build-dir]   (default: build)
#   startup: `servokit-host --info` within 2x of fork+exec of /bin/true (hyperfine, -N: no shell)
#   memory:  peak RSS of `--info` at most 4 MiB (/usr/bin/time)
#   build:   one example driver compiles in at most 15 s on 2 cores (a fresh object, no ccache)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
cmake --build "$build" --target servokit-host >/dev/null
driver="$build/bin/servokit-host"
status=0

echo "== startup: $driver --info vs /bin/true"
hyperfine -N --warmup 50 --runs 1000 --export-json "$build/bench-driver.json" \
  '/bin/true' "$driver --info" >/dev/null 2>&1
python3 - "$build/bench-driver.json" <<'PY' || status=1
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
floor, driver = (r["median"] for r in runs)
ratio = driver / floor
print(f"  /bin/true median {floor*1e3:.3f} ms; --info median {driver*1e3:.3f} ms; ratio {ratio:.2f} (limit 2.00)")
sys.exit(0 if ratio <= 2.0 else 1)
PY

echo "== memory: peak RSS of --info"
rss=$(/usr/bin/time -f %M "$driver" --info 2>&1 >/dev/null)
floor_rss=$(/usr/bin/time -f %M /bin/true 2>&1 >/dev/null)
echo "  /bin/true ${floor_rss} KiB; --info ${rss} KiB (limit 4096 KiB)"
[ "$rss" -le 4096 ] || status=1

echo "== build: one example driver from scratch"
object_dir="$build/examples/host/CMakeFiles/servokit-host.dir"
rm -f "$object_dir/host_measure.cpp.o"
seconds=$(python3 -c '
import subprocess, sys, time
start = time.monotonic()
subprocess.run(["cmake", "--build", sys.argv[1], "--target", "servokit-host"], check=True, stdout=subprocess.DEVNULL)
print(f"{time.monotonic() - start:.1f}")' "$build")
echo "  servokit-host compiled and linked in ${seconds} s (limit 15 s)"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 15 else 1)" "$seconds" || status=1

[ "$status" -eq 0 ] && echo "driver benchmarks: all within limits" || echo "driver benchmarks: LIMIT MISSED"
exit "$status"
