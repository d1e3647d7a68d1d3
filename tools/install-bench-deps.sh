#!/usr/bin/env bash
# Installs the Debian 12 packages that only the optimizer benchmark (bench/optimizer.sh) needs:
# the anchors it compares servokit's search with. CI never runs it; tools/install-deps.sh stays
# the list for building and testing.
#
# Instant when everything is present. As root it installs what is missing; as any other user it
# prints the command to run and exits non-zero.
set -euo pipefail

packages=(
  python3-numpy         # the harness
  python3-scipy         # the textbook GP-EI's Latin hypercube and normal distribution
  python3-optuna        # TPE (independent and multivariate) and CMA-ES
  python3-cmaes         # Optuna's CMA-ES sampler
  python3-sklearn       # the textbook GP-EI
  libdlib-dev           # dlib's find_min_global, linked into bench-optimizer
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query --show --showformat='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != installed ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-bench-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

install_command=(apt-get install -y --no-install-recommends "${missing[@]}")
if ((EUID != 0)); then
  echo "install-bench-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-bench-deps: run as root, or:" >&2
  echo "  sudo apt-get update && sudo ${install_command[*]}" >&2
  exit 1
fi

echo "install-bench-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
"${install_command[@]}" </dev/null
