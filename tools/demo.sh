#!/usr/bin/env bash
# Builds everything and shows a generated driver at work: servokit-host (examples/host) answers
# --info, --describe and a real measurement request, exactly as the servo agent would call it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cmake --preset default >/dev/null
cmake --build --preset default

driver=build/bin/servokit-host
request='{"metrics": ["cpu_utilization", "load_average", "memory_available"], "control": {"duration": 2}}'
show() { printf '\n$ %s\n' "$*"; }

show "$driver --info demo-app"
"$driver" --info demo-app
show "$driver --describe demo-app"
"$driver" --describe demo-app
show "echo '$request' | $driver demo-app"
echo "$request" | "$driver" demo-app
