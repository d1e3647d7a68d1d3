#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing servokit needs; with --bench, those
# that only the optimizer benchmark (bench/optimizer.sh) needs instead: the anchors it compares
# servokit's search with (tools/install-bench-deps.sh; CI never installs them).
#
# Instant when everything is present (it asks dpkg first and touches apt only for what is
# missing). As root it installs the missing packages; as any other user it prints the exact
# command to run and exits non-zero, so a build never starts on a half-equipped machine.
set -euo pipefail
name=install-deps
case "${1:-}" in
  "") ;;
  --bench) name=install-bench-deps ;;
  *) echo "usage: tools/install-deps.sh [--bench]" >&2; exit 2 ;;
esac

# The one list of what servokit needs. Keep cmake/dependencies.cmake and
# cmake/servokitConfig.cmake.in in step with the libraries named here.
packages=(
  build-essential       # g++ 12 and make
  cmake                 # 3.25: presets version 6, workflow presets
  pkgconf               # finds RE2, which ships a .pc file but no CMake package
  python3               # tools/amalgamate.py
  ccache                # the `dev` preset's compiler launcher
  libboost-dev          # Boost.Hana, and Boost.Math's Student t for the confirmation's gain interval (header-only)
  libsimdjson-dev
  libyaml-cpp-dev
  libre2-dev
  libcurl4-openssl-dev  # http/: the HTTP client (servo-exec requests, the agent's transport)
  libmuparser-dev       # optimize/: objective expressions over metrics
  libsqlite3-dev        # the local backend's study file
  libeigen3-dev         # optimize/: the Gaussian process's linear algebra (header-only)
  libnlopt-dev          # optimize/: L-BFGS for the Gaussian process's likelihood
  libpq-dev             # studies in PostgreSQL (servokit-optimizer --study postgresql://...)
  postgresql            # the PostgreSQL tests start a throwaway server (initdb, pg_ctl)
  libcli11-dev          # the agent's and the optimizer server's command lines
  libcpp-httplib-dev    # servokit-optimizer: the backend over HTTP
  sqlite3               # the demo's workload
  gnuplot-nox           # the optimization report's convergence plot
  doctest-dev           # unit and integration tests
  hyperfine             # bench/run.sh
  openssl               # tests/unit/http.cpp: a self-signed certificate for the TLS test
  libjs-chart.js        # the dashboard's charts, embedded in servokit-optimizer and servokit-servo
  chromium              # tests/browser: the dashboard in a real (headless) browser
  python3-websocket     # tests/browser: the DevTools protocol client that drives it
  # The .deb packages (cmake/packaging.cmake, tests/packaging/):
  dpkg-dev              # dpkg-shlibdeps: the servokit package's library dependencies
  file                  # cpack's DEB generator tells executables apart with it
  help2man              # the programs' man pages, from their --help
  debootstrap           # tests/packaging/chroot.sh (CI): the .deb in a fresh Debian 12 root
)
if [[ $name == install-bench-deps ]]; then
  packages=(
    python3-numpy         # the harness
    python3-scipy         # the textbook GP-EI's Latin hypercube and normal distribution
    python3-optuna        # TPE (independent and multivariate) and CMA-ES
    python3-cmaes         # Optuna's CMA-ES sampler
    python3-sklearn       # the textbook GP-EI
    libdlib-dev           # dlib's global optimizer, linked into bench-optimizer
  )
fi

missing=()
for package in "${packages[@]}"; do
  # db:Status-Status is exactly "installed" only for a fully installed package.
  status=$(dpkg-query --show --showformat='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != installed ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "$name: all ${#packages[@]} packages are installed"
  exit 0
fi

install_command=(apt-get install -y --no-install-recommends "${missing[@]}")

if ((EUID != 0)); then
  echo "$name: missing Debian packages: ${missing[*]}" >&2
  echo "$name: run as root, or:" >&2
  echo "  sudo apt-get update && sudo ${install_command[*]}" >&2
  exit 1
fi

echo "$name: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
"${install_command[@]}" </dev/null
