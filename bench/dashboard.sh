#!/bin/sh
# The dashboard's speed, each figure beside its floor from the same run (bench/dashboard.py says how):
#   1. the study page of a 500-trial study, cold, in headless Chromium      (target: <= 300 ms)
#      floor: the same page for a 1-trial study
#   2. /api/ reply times while 64 apps run trials                          (target: p99 <= 10 ms)
#      floor: a static asset from the same server
#   3. the servo endpoint's reply times without the dashboard, with it, and with Chromium polling
#      it                                                                  (target: no measurable change)
#
#   bench/dashboard.sh [build-dir] [--quick]      (default: build; Release recommended)
# Needs Debian's chromium and python3-websocket (tools/install-deps.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-"$here/../build"}" && pwd)
shift $(($# > 0 ? 1 : 0))
if ! log=$(cmake --build "$build" --target servokit-optimizer 2>&1); then
  printf '%s\n' "$log" >&2
  exit 2
fi
# Debian's python3: python3-websocket is installed for it.
exec /usr/bin/python3 "$here/dashboard.py" "$build/bin" "$@"
