#!/usr/bin/env bash
# The container image's steps, without a container runtime: a fresh Debian 12 root made with
# debootstrap --variant=minbase from the mirror apt uses here, entered with chroot, where the
# Dockerfile's COPY/RUN/WORKDIR steps run as written. `apt-get install ./servokit_*.deb` must then
# resolve every dependency from Debian, and the servo must work there: the Dockerfile's
# ENTRYPOINT (servokit-servo) in its servo directory, with servokit-batch as the drivers, runs a
# short optimization against a servokit-optimizer on 127.0.0.1 inside the same root.
#
#   usage (as root): tests/packaging/chroot.sh BUILD_DIR
#                    tests/packaging/chroot.sh prepare ROOT       (1) the fresh root alone
#                    tests/packaging/chroot.sh BUILD_DIR ROOT     (2) the test in that root
#
# BUILD_DIR is a configured and built tree (the test command's build/): the packages are made
# there with cpack. Needs debootstrap and the network path to the Debian mirror that apt uses.
# Runs in CI after the README's test command (.ci/run). The two-phase form is for CI: debootstrap
# needs no build and waits mostly on the network and the disk, so .ci/run makes the root (1) in
# the background while it builds, then runs the test (2) in it; (2) takes the root over and
# removes it, as the one-phase form removes its own.
set -euo pipefail

source_dir=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../..")
dockerfile="$source_dir/Dockerfile"
fail() { echo "chroot test: $*" >&2; exit 1; }
((EUID == 0)) || fail "must run as root (debootstrap, chroot)"
(($# == 1 || $# == 2)) || fail "usage: chroot.sh BUILD_DIR [ROOT] | chroot.sh prepare ROOT"

# A fresh Debian 12 root from the mirror apt uses, at $1 (which must not exist yet); its log in $1.log.
make_root() {
  local new_root=$1
  command -v debootstrap >/dev/null || fail "debootstrap is not installed (tools/install-deps.sh)"
  [[ ! -e $new_root ]] || fail "$new_root exists already: the root is made in a new directory"
  # The first bookworm source: a deb822 .sources stanza, or a one-line sources.list entry.
  local mirror
  mirror=$(
    { cat /etc/apt/sources.list.d/*.sources 2>/dev/null; echo; } | awk '
      /^[ \t]*$/ { if (uris != "" && suites ~ /(^| )bookworm( |$)/ && types ~ /(^| )deb( |$)/) { print uris; exit } uris = suites = types = ""; next }
      tolower($1) == "uris:" { uris = $2 } tolower($1) == "suites:" { $1 = ""; suites = $0 " " } tolower($1) == "types:" { $1 = ""; types = $0 " " }'
  )
  if [[ -z $mirror ]]; then
    mirror=$(awk '$1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
  fi
  [[ -n $mirror ]] || fail "no bookworm source in /etc/apt/sources.list(.d) to take the mirror from"
  echo "chroot test: debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$new_root" "$mirror" >"$new_root.log" 2>&1 \
    || { tail -n 30 "$new_root.log" >&2; fail "debootstrap failed (log: $new_root.log)"; }
  cp /etc/resolv.conf "$new_root/etc/resolv.conf"
}

if [[ $1 == prepare ]]; then
  (($# == 2)) || fail "usage: chroot.sh prepare ROOT"
  make_root "$2"
  echo "chroot test: the root is ready in $2"
  exit 0
fi

build=$(realpath "$1")
prepared_root=${2:-}
[[ -z $prepared_root || -f $prepared_root/etc/debian_version ]] \
  || fail "$prepared_root is not a root made by 'chroot.sh prepare'"

work=$(mktemp -d "${TMPDIR:-/tmp}/servokit-chroot.XXXXXX")
root="$work/root"
mounted=()
cleanup() {
  # Stop whatever the test started inside the root, then unmount, then remove.
  for pid_file in "$root"/run/servokit-test-*.pid; do
    [[ -f $pid_file ]] && kill -KILL "$(cat "$pid_file")" 2>/dev/null || true
  done
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
  if [[ -n $prepared_root ]]; then rm -rf --one-file-system "$prepared_root" "$prepared_root.log"; fi
}
trap cleanup EXIT

# --- the packages ------------------------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$work/context" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
ls "$work/context"/servokit_*.deb >/dev/null || fail "cpack made no servokit_*.deb"

# --- a fresh Debian 12 root (made now, or by 'chroot.sh prepare') --------------------------------
if [[ -n $prepared_root ]]; then
  echo "chroot test: the root made by 'chroot.sh prepare' in $prepared_root"
  root=$prepared_root
else
  make_root "$root"
fi
mount -t proc proc "$root/proc" && mounted+=("$root/proc")

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }

# --- the Dockerfile's steps ----------------------------------------------------------------------
# Continuation lines joined; FROM is the root just made; COPY takes files from the build context
# (the packages' directory, as `docker build ... build-package` would).
workdir=/
entrypoint=
while IFS= read -r line; do
  read -r instruction arguments <<<"$line"
  case "$instruction" in
    FROM) ;;
    WORKDIR) workdir=$arguments; mkdir -p "$root$workdir" ;;
    COPY)
      read -r -a parts <<<"$arguments"
      destination=${parts[-1]}
      [[ $destination == /* ]] || destination="$workdir/$destination"
      mkdir -p "$root$destination"
      for pattern in "${parts[@]:0:${#parts[@]}-1}"; do
        # shellcheck disable=SC2086  # the pattern is a glob, as in docker's COPY
        cp $work/context/$pattern "$root$destination/"
      done ;;
    RUN)
      echo "chroot test: RUN $arguments"
      in_root /bin/sh -c "cd '$workdir' && $arguments" >>"$work/run.log" 2>&1 \
        || { tail -n 40 "$work/run.log" >&2; fail "the Dockerfile step failed: RUN $arguments"; } ;;
    ENTRYPOINT) entrypoint=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])[0])' "$arguments") ;;
    *) fail "the Dockerfile has an instruction this test does not know: $instruction" ;;
  esac
done < <(sed -e 's/[[:space:]]*#.*$//' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep -v '^[[:space:]]*$')
[[ $entrypoint == servokit-servo ]] || fail "the Dockerfile's entrypoint is '$entrypoint', not servokit-servo"
[[ -L $root/servo/adjust && -L $root/servo/measure ]] || fail "the image has no servo directory with adjust and measure"
in_root dpkg-query --show servokit >/dev/null || fail "servokit is not installed in the root"

# --- a servo there, against a loopback servokit-optimizer ---------------------------------------
mkdir -p "$root/srv/optimizer" "$root/opt/optune"
cat >"$root/srv/optimizer/config.yaml" <<'YAML'
optimization:
  objective: {metric: cost, goal: minimize}
  budget: 3
  seed: 1
  control: {duration: 0}
YAML
token=chroot-test-token-$$
echo "$token" >"$root/srv/optimizer/token"
echo "$token" >"$root/opt/optune/auth_token"
# config.yaml and the job, as `docker run -v` would mount them into /servo.
cat >"$root/servo/config.yaml" <<'YAML'
batch:
  command: ./job.sh {web.cpu}
  application:
    components:
      web:
        settings:
          cpu: {min: 1, max: 4, step: 1, default: 4}
  metrics:
    cost: {output_regex: '^cost: (\S+)$'}
YAML
printf '#!/bin/sh\necho "cost: $((10 + $1))"\n' >"$root/servo/job.sh"
chmod +x "$root/servo/job.sh"

in_root /bin/sh -c 'cd /srv/optimizer && exec servokit-optimizer --listen 127.0.0.1:0 --config config.yaml --study study.sqlite --auth-token token >out 2>err & echo $! >/run/servokit-test-optimizer.pid'
for _ in $(seq 600); do grep -q 'http://' "$root/srv/optimizer/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$root/srv/optimizer/out" | head -n 1 | sed 's|/accounts.*||')
[[ -n $url ]] || { cat "$root/srv/optimizer/err" >&2; fail "servokit-optimizer did not say where it listens"; }
endpoint="$url/accounts/acme/applications/web/servo"
echo "chroot test: servokit-optimizer at $url; the entrypoint runs in /servo"

in_root /bin/sh -c "cd /servo && exec $entrypoint --url '$endpoint' --auth-token /opt/optune/auth_token web >out 2>err & echo \$! >/run/servokit-test-servo.pid"
finished=
for _ in $(seq 1200); do   # up to 2 minutes on a busy machine; a quiet one needs a second or two
  if grep -q 'optimization of "web"' "$root/srv/optimizer/err" 2>/dev/null; then finished=yes; break; fi
  sleep 0.1
done
kill -TERM "$(cat "$root/run/servokit-test-servo.pid")" 2>/dev/null || true
kill -TERM "$(cat "$root/run/servokit-test-optimizer.pid")" 2>/dev/null || true
if [[ -z $finished ]]; then
  echo "--- optimizer:" >&2; cat "$root/srv/optimizer/err" >&2
  echo "--- servo:" >&2; cat "$root/servo/err" >&2
  fail "the servo in the root did not finish the 3-trial optimization"
fi
if grep -q "$token" "$root/srv/optimizer/err" "$root/srv/optimizer/out" "$root/servo/err" "$root/servo/out"; then
  fail "the token appeared in an output"
fi
grep 'optimization of "web"' "$root/srv/optimizer/err"
echo "chroot test: passed: apt-get installed the package with its dependencies from Debian, and the servo ran in the root"
