#!/bin/sh
# Parallel trials, replicas on PostgreSQL, and the SQLite default against main's build, each figure
# beside its floor or anchor from the same run (the machine is shared: absolute numbers mean little).
#   1. 8 servos of one app on a 1-second job against one servo, per seed: the wall time to reach the
#      regret the single servo reaches at 30 trials   (target: at most 1/5 of its wall time), and
#      the regret after 30 trials                      (target: at most 25% above the single servo's)
#   2. 3 replicas on one PostgreSQL database, 64 apps x 2 servos, a job that exits at once: reply
#      times (target: median <= 5 ms, p99 <= 50 ms, no errors), beside the HTTP floor (a request
#      refused before any study work); then the same with one replica SIGKILLed mid-run: every app
#      still ends with exactly its budget of trials, none lost, none doubled
#   3. the SQLite default: bench-local_backend's 8 apps x 30 trials against this servokit-optimizer
#      and against main's, alternately (target: no slower)
#
#   bench/parallel.sh [build-dir] [main-build-dir]
#      build-dir       default build/ (Release recommended)
#      main-build-dir  a build of branch main with bin/servokit-optimizer; default: built here from
#                      `git archive main` (a few minutes the first time, then ccache)
#   PARALLEL_SEEDS="1 2 3" (part 1), PARALLEL_PARTS="1 2 3"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-"$here/../build"}" && pwd)
main_build=${2:+$(cd "$2" && pwd)}
seeds=${PARALLEL_SEEDS:-"1 2 3"}
parts=${PARALLEL_PARTS:-"1 2 3"}
if ! log=$(cmake --build "$build" --target servokit-optimizer bench-parallel bench-local_backend 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
bin="$build/bin"
work=$(mktemp -d)
pids=""
pg_data=""
runas=""
if [ "$(id -u)" = 0 ]; then runas="runuser -u nobody --"; fi
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$pg_data" ]; then $runas "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop > /dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_optimizer NAME ARGS...: servokit-optimizer in $work/NAME on a port of its choosing; sets $url, $pid.
start_optimizer() {
  name=$1
  shift
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec "$bin/servokit-optimizer" --listen 127.0.0.1:0 "$@" > out 2> err) &
  pid=$!
  pids="$pids $pid"
  for _ in $(seq 400); do grep -q listening "$work/$name/out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's|.*\(http://[^/]*\)/.*|\1|p' "$work/$name/out")
  [ -n "$url" ] || { cat "$work/$name/err" >&2; exit 1; }
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

config() {   # config BUDGET [extra lines]
  printf 'optimization:\n  objective: {metric: total_runtime, goal: minimize}\n  budget: %s\n%b' "$1" "${2:-}"
}

case " $parts " in *" 1 "*)
echo "== 1. 8 servos of one app on a 1-second job, against one servo (per seed)"
printf '%-5s %12s %12s %16s %8s %12s %10s\n' seed "1 servo: T30" "regret@30" "8 servos: to it" "ratio" "regret@30" "ratio"
for seed in $seeds; do
  mkdir -p "$work/seq-$seed" "$work/par-$seed"
  config 30 "  seed: $seed\n" > "$work/seq-$seed/config.yaml"
  config 60 "  seed: $seed\n" > "$work/par-$seed/config.yaml"
  start_optimizer "seq-$seed" --config config.yaml --study study.sqlite
  "$bin/bench-parallel" run "$url" 1 1 1000 > "$work/seq-$seed/run.out"
  stop "$pid"
  "$bin/bench-parallel" regret "$work/seq-$seed/study.sqlite" bench-0 30 > "$work/seq-$seed/regret.out"
  target=$(awk '{ for (i = 1; i < NF; ++i) if ($i == "regret_at_30") print $(i + 1) }' "$work/seq-$seed/regret.out")
  start_optimizer "par-$seed" --config config.yaml --study study.sqlite
  "$bin/bench-parallel" run "$url" 1 8 1000 > "$work/par-$seed/run.out"
  stop "$pid"
  "$bin/bench-parallel" regret "$work/par-$seed/study.sqlite" bench-0 30 "$target" > "$work/par-$seed/regret.out"
  awk -v seed="$seed" 'FNR == 1 { file++ }
    { for (i = 1; i < NF; ++i) { key[file, $i] = $(i + 1) } }
    END {
      t30 = key[1, "wall_at_30"]; r30 = key[1, "regret_at_30"]
      for (k in key) { split(k, part, SUBSEP); if (part[1] == 2 && part[2] ~ /^wall_to_regret/) reach = key[k] }
      p30 = key[2, "regret_at_30"]
      ratio = reach < 0 ? "never" : sprintf("%.3f", reach / t30)
      rr = r30 > 0 ? sprintf("%.2f", p30 / r30) : (p30 > 0 ? "inf" : "1.00")
      printf "%-5s %10.2f s %12.4f %14.2f s %8s %12.4f %10s\n", seed, t30, r30, reach, ratio, p30, rr }' \
    "$work/seq-$seed/regret.out" "$work/par-$seed/regret.out"
done
echo "   (targets: ratio of wall times <= 0.2; ratio of regrets at 30 trials <= 1.25; 'never': not within 60 trials)"
;; esac

case " $parts " in *" 2 "*)
echo "== 2. 3 replicas on one PostgreSQL database, 64 apps x 2 servos, a job that exits at once"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "   skipped: no PostgreSQL server binaries (Debian's postgresql package)"
else
  mkdir "$work/pg"
  if [ -n "$runas" ]; then chmod 711 "$work" && chown nobody "$work/pg"; fi   # the server runs as nobody
  pg_data="$work/pg/data"
  $runas "$pg_bin/initdb" -D "$pg_data" -U servokit -A trust -E UTF8 --no-instructions > "$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log" >&2; exit 1; }
  pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $runas "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -o "-h 127.0.0.1 -p $pg_port -k $work/pg -c max_connections=200" \
    start > /dev/null
  for run in solo steady killed; do
    $runas "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U servokit "$run"
    study="postgresql://servokit@127.0.0.1:$pg_port/$run"
    urls=""
    replicas=""
    for replica in 1 2 3; do
      mkdir -p "$work/$run-$replica"
      config 20 "  seed: 1\n  trial_timeout: 5\n" > "$work/$run-$replica/config.yaml"
      # A thread per servo connection (128 servos, each keeping a connection to every replica).
      start_optimizer "$run-$replica" --config config.yaml --study "$study" --threads 160 --queue 512
      urls="$urls${urls:+,}$url"
      replicas="$replicas $pid"
    done
    if [ "$run" = solo ]; then
      # One app, one servo: each request's own cost, without waiting for others.
      "$bin/bench-parallel" floor "${urls%%,*}" 2000
      "$bin/bench-parallel" run "$urls" 1 1 0 > "$work/$run.out"
      printf '   %-7s ' "$run:"
      cat "$work/$run.out"
      for pid in $replicas; do stop "$pid"; done
      continue
    fi
    "$bin/bench-parallel" run "$urls" 64 2 0 > "$work/$run.out" &
    bench_pid=$!
    if [ "$run" = killed ]; then
      # Mid-run: once a third of the 64 x 20 trials are in, the second replica dies.
      second=$(echo $replicas | cut -d' ' -f2)
      for _ in $(seq 1200); do
        count=$("$bin/bench-parallel" count "$study" 64 2>/dev/null || echo 0)
        [ "$count" -ge 426 ] && break
        sleep 0.05
      done
      kill -9 "$second"
      echo "   replica 2 SIGKILLed with ${count:-?} of 1280 trials recorded"
    fi
    wait "$bench_pid" || true
    printf '   %-7s ' "$run:"
    cat "$work/$run.out"
    printf '   %-7s ' "" ; "$bin/bench-parallel" check "$study" 64 20 || true
    for pid in $replicas; do stop "$pid"; done
  done
  echo "   (targets: median <= 5 ms, p99 <= 50 ms, error_replies 0; after the kill: nothing lost or doubled)"
fi
;; esac

case " $parts " in *" 3 "*)
echo "== 3. the SQLite default: this servokit-optimizer against main's, 8 apps x 30 trials, alternately"
if [ -z "$main_build" ]; then
  main_build="$here/../build-bench-main"
  if [ ! -x "$main_build/bin/servokit-optimizer" ] || [ -n "${PARALLEL_REBUILD_MAIN:-}" ]; then
    rm -rf "$work/main-src" && mkdir "$work/main-src"
    git -C "$here/.." archive main | tar -x -C "$work/main-src"
    cmake -S "$work/main-src" -B "$main_build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DSERVOKIT_BUILD_TESTS=OFF > "$work/main-configure.log" 2>&1
    cmake --build "$main_build" --target servokit-optimizer bench-local_backend -j2 > "$work/main-build.log" 2>&1 ||
      { tail -n 30 "$work/main-build.log" >&2; exit 1; }
  fi
fi
for round in 1 2; do
  for which in main this; do
    program="$bin/servokit-optimizer"
    [ "$which" = main ] && program="$main_build/bin/servokit-optimizer"
    mkdir -p "$work/sqlite-$which-$round"
    config 30 > "$work/sqlite-$which-$round/config.yaml"
    (cd "$work/sqlite-$which-$round" && exec "$program" --listen 127.0.0.1:0 --config config.yaml --study study.sqlite \
      > out 2> err) &
    pid=$!
    pids="$pids $pid"
    for _ in $(seq 400); do grep -q listening "$work/sqlite-$which-$round/out" 2>/dev/null && break; sleep 0.05; done
    url=$(sed -n 's|.*\(http://[^/]*\)/.*|\1|p' "$work/sqlite-$which-$round/out")
    "$bin/bench-local_backend" server "$url" 8 30 > "$work/sqlite-$which-$round.out"
    stop "$pid"
    sed "s/^/   $which (round $round): /" "$work/sqlite-$which-$round.out"
  done
done
echo "   (target: this build's replies no slower than main's, kind by kind, in both rounds)"
;; esac
