#!/bin/sh
# servokit-batch speed, each figure against a floor measured in the same run:
#   1. `--query` / `--info` against fork+exec of /bin/true        (target: within 2x)
#   2. measure's overhead over the job's own run time               (target: <= 3 ms)
#   3. a job printing 1 GiB: scan rate and peak RSS                 (target: >= 300 MB/s, < 64 MiB)
#
#   bench/batch.sh [build-dir]        (default: build-batch; needs hyperfine and /usr/bin/time)
set -eu
build=$(cd "${1:-build-batch}" && pwd)
program="$build/bin/servokit-batch"
[ -x "$program" ] || { echo "no $program: build the servokit-batch target first" >&2; exit 1; }
servo=$(mktemp -d)
trap 'rm -rf "$servo"' EXIT
cd "$servo"
ln -s "$program" adjust
ln -s "$program" measure

cat > config.yaml <<'YAML'
batch:
  command: ./job.sh --cpu {web.cpu} --mem {web.mem:.0f} --timeout {_control.duration}
  application:
    components:
      web:
        settings:
          cpu: {type: enum, default: 256, values: [256, 512, 1024]}
          mem: {min: 50, max: 300, step: 10, default: 100}
  metrics:
    result: {output_regex: '^Dummy result: (\d+)$', unit: count}
YAML
printf '#!/bin/sh\necho "Dummy result: 42"\n' > job.sh
chmod +x job.sh
echo '{"metrics": ["result"], "control": {"duration": 30}}' > request.json

echo "== 1. --query and --info against fork+exec of /bin/true"
hyperfine -N --warmup 50 --runs 1000 --export-json startup.json \
  /bin/true "./adjust --query app" "./adjust --info" "./measure --info"

echo "== 2. measure against running the same job with /bin/sh -c directly"
hyperfine --warmup 20 --runs 300 --export-json measure.json \
  "/bin/sh -c './job.sh --cpu 256 --mem 100 --timeout 30' < request.json" \
  "./measure app < request.json"

echo "== 3. a job printing 1 GiB, the metric on its last line"
cat > config.yaml <<'YAML'
batch:
  command: >-
    yes 'a line of job output, 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ' | head -c 1073741824;
    echo; echo 'Dummy result: 42'
  application:
    components:
      web:
        settings:
          mem: {min: 50, max: 300, step: 10, default: 100}
  metrics:
    result: {output_regex: '^Dummy result: (\d+)$', unit: count}
YAML
/usr/bin/time -f '%e %M' -o floor.time sh -c "yes 'a line of job output, 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ' | head -c 1073741824 > /dev/null"
/usr/bin/time -f '%e %M' -o scan.time ./measure app < request.json > scan.out
tail -n 1 scan.out
read floor_seconds floor_kib < floor.time
read scan_seconds scan_kib < scan.time

python3 - "$floor_seconds" "$scan_seconds" "$scan_kib" <<'PY'
import json, sys
floor_s, scan_s, scan_kib = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
def mean(file, name):
    return next(r for r in json.load(open(file))["results"] if r["command"] == name)
true = mean("startup.json", "/bin/true")["mean"]
print("\n== figures")
for name in ("./adjust --query app", "./adjust --info", "./measure --info"):
    m = mean("startup.json", name)["mean"]
    print(f"{name:24s} {m * 1e3:7.3f} ms  = {m / true:4.2f}x /bin/true ({true * 1e3:.3f} ms)   target <= 2x")
job = mean("measure.json", "/bin/sh -c './job.sh --cpu 256 --mem 100 --timeout 30' < request.json")["mean"]
measure = mean("measure.json", "./measure app < request.json")["mean"]
print(f"measure overhead         {(measure - job) * 1e3:7.3f} ms  (measure {measure * 1e3:.3f} ms, job alone {job * 1e3:.3f} ms)   target <= 3 ms")

gib = 1 << 30
print(f"1 GiB scanned            {gib / scan_s / 1e6:7.0f} MB/s ({scan_s:.2f} s; the generator alone into /dev/null {floor_s:.2f} s = {gib / floor_s / 1e6:.0f} MB/s)   target >= 300 MB/s")
print(f"peak RSS                 {scan_kib / 1024:7.1f} MiB   target < 64 MiB")
PY
