#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, each for the
# same time. Run it after any change to parsing or decoding (commands, button
# ids, catalogs, HTTP bodies, interaction payloads, configuration).
#
#   scripts/fuzz.sh [DURATION] [TARGET-REGEXP]     # default 10m, every target
#
#   FUZZ_PARALLEL=N   fuzzing workers per target (default 1: this machine has
#                     2 cores shared with everyone else)
#
# Targets are found with `go test -list '^Fuzz'`, so a new one is run without
# editing this script. A finding stops its target and leaves the failing
# input in that package's testdata/fuzz/<Target>/; the script goes on with
# the next target and exits non-zero at the end. Fix the bug, keep the file:
# from then on it runs as an ordinary test in every `go test` (and so in CI).
set -uo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10m}
only=${2:-.}
parallel=${FUZZ_PARALLEL:-1}

# "pkg Target" for each target, from lines such as "FuzzX" followed by
# "ok  <pkg>  0.01s".
targets=()
names=()
while read -r first second _; do
  case $first in
    Fuzz*) names+=("$first") ;;
    ok)
      for n in "${names[@]}"; do targets+=("$second $n"); done
      names=()
      ;;
    FAIL)
      echo "fuzz.sh: listing the targets of $second failed" >&2
      exit 1
      ;;
    *) names=() ;;
  esac
done < <(go test -list '^Fuzz' ./... 2>&1)

if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets found" >&2
  exit 1
fi

printf 'fuzz.sh: target %s\n' "${targets[@]}"
failed=()
ran=0
for t in "${targets[@]}"; do
  set -- $t
  pkg=$1 name=$2
  if ! [[ $name =~ $only ]]; then continue; fi
  ran=$((ran + 1))
  echo "== $name ($pkg) for $duration, -parallel $parallel, from $(date '+%H:%M:%S')"
  if ! go test -run '^$' -fuzz "^$name\$" -fuzztime "$duration" -parallel "$parallel" "$pkg"; then
    failed+=("$name ($pkg)")
  fi
done

if [ $ran -eq 0 ]; then
  echo "fuzz.sh: no target matches $only" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]}: the failing inputs are in testdata/fuzz/ of each package" >&2
  exit 1
fi
echo "fuzz.sh: $ran targets, $duration each, nothing found"
