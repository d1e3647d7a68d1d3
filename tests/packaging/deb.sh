#!/usr/bin/env bash
# The .deb packages as a user gets them: made by cpack from this build tree, unpacked with dpkg -x
# into a throwaway root, then used from there.
#
#   usage: tests/packaging/deb.sh BUILD_DIR SOURCE_DIR VERSION PROGRAM...
#
# Checks: both packages are made with the names, architectures and dependencies the README gives;
# servokit-dev holds the headers, the single header and a CMake package that find_package finds
# (the find_package consumer project builds against the unpacked root and runs); servokit holds
# every program, each with a man page, and every program runs from the root and answers --version.
set -euo pipefail

build=$1 source=$2 version=$3
shift 3
programs=("$@")

work=$(mktemp -d "$build/package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "package test: $*" >&2; exit 1; }

# --- make them -------------------------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
dev_deb="$work/out/servokit-dev_${version}_all.deb"
arch=$(dpkg --print-architecture)
runtime_deb="$work/out/servokit_${version}_${arch}.deb"
for deb in "$dev_deb" "$runtime_deb"; do
  [[ -f $deb ]] || { ls "$work/out" >&2; fail "cpack made no $(basename "$deb")"; }
done

field() { dpkg-deb --field "$1" "$2"; }
[[ $(field "$dev_deb" Package) == servokit-dev ]] || fail "servokit-dev: wrong Package field"
[[ $(field "$runtime_deb" Package) == servokit ]] || fail "servokit: wrong Package field"
dev_depends=$(field "$dev_deb" Depends)
for needed in libboost-dev libsimdjson-dev libyaml-cpp-dev libmuparser-dev libsqlite3-dev; do
  [[ $dev_depends == *"$needed"* ]] || fail "servokit-dev does not depend on $needed: $dev_depends"
done
runtime_depends=$(field "$runtime_deb" Depends)
# dpkg-shlibdeps found the libraries the programs link; libcurl4 is loaded on demand.
for needed in libc6 libsimdjson libcurl4; do
  [[ $runtime_depends == *"$needed"* ]] || fail "servokit does not depend on $needed: $runtime_depends"
done
echo "servokit-dev Depends: $dev_depends"
echo "servokit Depends: $runtime_depends"

# --- unpack them -----------------------------------------------------------------------------
root="$work/root"
dpkg -x "$dev_deb" "$root"
dpkg -x "$runtime_deb" "$root"

[[ -f $root/usr/include/servokit/servokit.hpp ]] || fail "servokit-dev lacks include/servokit/servokit.hpp"
[[ -f $root/usr/include/servokit-single/servokit/servokit.hpp ]] || fail "servokit-dev lacks the single header"
[[ -f $root/usr/share/cmake/servokit/servokitConfig.cmake ]] || fail "servokit-dev lacks servokitConfig.cmake"

for program in "${programs[@]}"; do
  binary="$root/usr/bin/$program"
  [[ -x $binary ]] || fail "servokit lacks /usr/bin/$program"
  page="$root/usr/share/man/man1/$program.1.gz"
  [[ -f $page ]] || fail "servokit lacks the man page of $program"
  gzip -dc "$page" | grep -q '^\.SH DESCRIPTION' || fail "the man page of $program has no DESCRIPTION"
  help=(--help)
  [[ $program == servokit-batch ]] && help=(--role adjust --help)   # both kinds: help per role
  out=$(cd "$work" && "$binary" "${help[@]}" 2>&1) || fail "$program ${help[*]} failed: $out"
  [[ $out == *[Uu]sage* ]] || fail "$program ${help[*]} printed no usage: $out"
done
echo "every program has its man page and answers --help"
# Nothing else in usr/bin: the packages ship the programs only.
extra=$(comm -23 <(ls "$root/usr/bin" | sort) <(printf '%s\n' "${programs[@]}" | sort))
[[ -z $extra ]] || fail "servokit ships files that are not programs: $extra"

# --- use them --------------------------------------------------------------------------------
# A user's project finds the unpacked servokit with find_package, builds and runs.
consumer="$work/consumer"
cmake -S "$source/tests/consumers/find_package" -B "$consumer" \
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$root/usr" \
  "-DSERVOKIT_EXPECTED_VERSION=$version" "-DSERVOKIT_EXPECTED_PREFIX=$root/usr" >"$work/consumer.log" 2>&1 \
  || { cat "$work/consumer.log" >&2; fail "the consumer does not configure against the unpacked package"; }
cmake --build "$consumer" >>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log" >&2; fail "the consumer does not build"; }
said=$("$consumer/consumer")
[[ $said == "consumer (find_package) sees servokit version $version" ]] || fail "the consumer printed: $said"
echo "$said"

# The packaged programs at work: the packaged servokit-check runs the packaged servokit-batch (as
# adjust and measure in a servo directory) through the protocol, every check passing.
if [[ " ${programs[*]} " == *" servokit-check "* && " ${programs[*]} " == *" servokit-batch "* ]]; then
  servo="$work/servo"
  mkdir -p "$servo"
  ln -s "$root/usr/bin/servokit-batch" "$servo/adjust"
  ln -s "$root/usr/bin/servokit-batch" "$servo/measure"
  printf 'batch:\n  command: "true"\n  application:\n    components:\n      web:\n        settings:\n          cpu: {min: 1, max: 8, step: 1, default: 2}\n' >"$servo/config.yaml"
  "$root/usr/bin/servokit-check" "$servo" >"$work/check.out" 2>&1 || { cat "$work/check.out" >&2; fail "servokit-check failed the packaged servokit-batch"; }
  tail -n 1 "$work/check.out"
fi

# The single header alone, as a build without CMake uses it.
printf '#include <servokit/servokit.hpp>\nint main() { return servokit::version.empty() ? 1 : 0; }\n' >"$work/single.cpp"
# Eigen and libpq keep their headers in subdirectories (/usr/include/eigen3, /usr/include/postgresql).
# shellcheck disable=SC2046
g++ -std=c++20 -fsyntax-only -I"$root/usr/include/servokit-single" $(pkg-config --cflags eigen3 libpq) "$work/single.cpp" \
  || fail "the single header from servokit-dev does not compile"
echo "package test: both packages made, unpacked and used"
