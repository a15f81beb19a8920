#!/usr/bin/env bash
# tests/fuzz/run.sh: builds the libFuzzer targets (build-asan/, clang, ASan + UBSan) and runs each one,
# for a bounded time or a bounded number of runs, one process at a time. See docs/fuzzing.md.
#
#   tests/fuzz/run.sh [seconds-per-target] [target...]   default 60 s each, every target
#   tests/fuzz/run.sh --runs N [target...]               N inputs each (what CI would run)
#
# Needs, besides the project's own build dependencies: clang with its libFuzzer and sanitizer runtimes
# (`bash deploy/install-deps.sh --tests` installs them). Builds in build-asan/ (the asan preset of
# CMakePresets.json, shared with the test suite). Environment: IVIG_FUZZ_JOBS (ninja -j, default 1).
# Each target reads and grows tests/fuzz/corpus/<target>/ (git-ignored) and reads the committed seeds
# of tests/fuzz/seeds/<target>/ and past findings of tests/fuzz/regressions/<target>/; a finding is written to tests/fuzz/findings/<target>-crash-… (git-ignored)
# and makes the script exit 1 after the remaining targets have run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build-asan"  # the asan preset's tree: the test suite and the fuzz targets, built once

seconds=60
runs=""
if [[ "${1:-}" == "--runs" ]]; then
  runs="${2:?--runs needs a number}"
  shift 2
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi
all_targets=(cds_request fhir_record dose_plan service_call knowledge feedback jwt http_head)
targets=("${@:-${all_targets[@]}}")

(cd "$root" && cmake --preset asan >/dev/null)
ninja -C "$build" -j "${IVIG_FUZZ_JOBS:-1}" fuzzers

mkdir -p "$here/findings"
failed=()
for target in "${targets[@]}"; do
  corpus="$here/corpus/$target"
  mkdir -p "$corpus"
  options=(-artifact_prefix="$here/findings/$target-" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  [[ "$target" == http_head || "$target" == jwt ]] || options+=(-dict="$here/json.dict")
  if [[ -n "$runs" ]]; then options+=(-runs="$runs"); else options+=(-max_total_time="$seconds"); fi
  echo "== fuzz_$target"
  # New inputs go to the first directory (the corpus); the seeds and past findings are only read.
  inputs=("$corpus" "$here/seeds/$target")
  [[ -d "$here/regressions/$target" ]] && inputs+=("$here/regressions/$target")
  if ! "$build/tests/fuzz/fuzz_$target" "${options[@]}" "${inputs[@]}" \
      2>"$build/fuzz_$target.log"; then
    failed+=("$target")
  fi
  grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|ERROR|SUMMARY' "$build/fuzz_$target.log" | tail -4 || true
done

if ((${#failed[@]})); then
  echo "findings in: ${failed[*]} (logs in $build/fuzz_<target>.log, inputs in tests/fuzz/findings/)"
  exit 1
fi
echo "no findings"
