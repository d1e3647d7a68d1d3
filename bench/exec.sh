#!/bin/sh
# Benchmarks of servokit-exec (examples/exec), each against a floor measured in the same run.
# usage: bench/exec.sh [build-dir]   (default: build, a Release build)
#   startup:  --info and --describe within 2x of fork+exec of /bin/true
#   overhead: a measurement with no tasks adds at most 3 ms over /bin/true given the same request
#   tasks:    100 tasks of /bin/true in one stage, at most 0.5 ms each over a bare posix_spawn +
#             waitpid of /bin/true
#   (medians of interleaved rounds, bench/exec_startup.cpp)
#   memory:   peak RSS under 6 MiB for --info, --describe and a measurement of program tasks; a
#             measurement with a request task is reported too (libcurl and OpenSSL load then)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-"$here/../build"}" && pwd)
if ! log=$(cmake --build "$build" --target servokit-exec bench-exec_startup 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
driver="$build/bin/servokit-exec"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
status=0

echo '{"control": {"duration": 0}}' > request.json
printf 'exec: {}\n' > empty.yaml
python3 -c '
print("exec:\n  pre:")
for _ in range(100): print("    - exec: /bin/true")' > hundred.yaml
export OPTUNE_CONFIG="$work/empty.yaml"

echo "== time: --info, --describe, a measurement, 100 tasks; floor: fork+exec of /bin/true"
# Interleaved rounds (bench/exec_startup.cpp): the machine is shared, and drift in its load must
# hit the floor and the driver alike.
"$build/bench/bin/bench-exec_startup" "$driver" "$work" 41 > timing.out || status=1
sed 's/^/  /' timing.out

echo "== memory: peak RSS"
python3 -m http.server --bind 127.0.0.1 0 > server.out 2>&1 &
server_pid=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' server.out)
  [ -n "$port" ] && break
  sleep 0.1
done
printf 'exec:\n  pre: [{request: {url: "http://127.0.0.1:%s/"}}]\n' "$port" > request.yaml
floor_rss=$(/usr/bin/time -f %M /bin/true 2>&1 >/dev/null)
info_rss=$(/usr/bin/time -f %M "$driver" --info 2>&1 >/dev/null)
describe_rss=$(/usr/bin/time -f %M "$driver" --describe app 2>&1 >/dev/null)
tasks_rss=$(OPTUNE_CONFIG=hundred.yaml /usr/bin/time -f %M "$driver" app < request.json 2>&1 >/dev/null | tail -1)
request_rss=$(OPTUNE_CONFIG=request.yaml /usr/bin/time -f %M "$driver" app < request.json 2>&1 >/dev/null | tail -1)
echo "  /bin/true ${floor_rss} KiB; --info ${info_rss} KiB; --describe ${describe_rss} KiB;" \
     "100 program tasks ${tasks_rss} KiB (limit 6144 KiB)"
echo "  a request task: ${request_rss} KiB (libcurl, OpenSSL and their dependencies loaded; reported, no limit)"
for rss in "$info_rss" "$describe_rss" "$tasks_rss"; do
  [ "$rss" -le 6144 ] || status=1
done

[ "$status" -eq 0 ] && echo "exec benchmarks: all within limits" || echo "exec benchmarks: LIMIT MISSED"
exit "$status"
