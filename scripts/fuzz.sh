#!/usr/bin/env bash
# Long fuzzing run of the property tests (proptest) that guard every parser of
# untrusted input: version names, .go-version/.tool-versions/go.mod, the
# release listing, archive entry paths and unpacking, checksums, platforms.
# CI runs the same tests with proptest's default 256 cases each; this runs
# many more, optimised. Usage: bash scripts/fuzz.sh [CASES]   (default 200000)
#
# A failure prints the shrunk input and records its seed under
# proptest-regressions/ (shims/proptest-regressions/ for the shim crate):
# commit that file, and add the input as a plain #[test] beside the property.
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${1:-${PROPTEST_CASES:-200000}}"
export PROPTEST_CASES="$cases"
# Shrinking a failure can take many iterations; let it finish.
export PROPTEST_MAX_SHRINK_ITERS="${PROPTEST_MAX_SHRINK_ITERS:-100000}"

echo "fuzzing with PROPTEST_CASES=$cases"
start=$SECONDS
# Every property test lives in a `fuzz` module: `<module>::fuzz::<property>`.
cargo test --release -p gvmr-shim --lib -- fuzz:: --test-threads "$(nproc)"
cargo test --release -p gvmr --bin gvmr -- fuzz:: --test-threads "$(nproc)"
echo "fuzzing done in $((SECONDS - start)) s"
