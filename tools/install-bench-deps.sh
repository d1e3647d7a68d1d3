#!/usr/bin/env bash
# Installs the Debian 12 packages that only the optimizer benchmark (bench/optimizer.sh) needs: the
# anchors it compares servokit's search with. The list and the logic are install-deps.sh's.
exec "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh" --bench
