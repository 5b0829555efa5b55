#!/bin/sh
# `make check`: everything CI runs, one step after another, ending with a
# plain summary line. A failed step does not stop the later ones (you see
# every problem in one run), but any failure makes the exit status 1.
set -u
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-15}
passed=""
failed=""

step() {
    name=$1
    shift
    echo
    echo "==== $name"
    start=$(date +%s)
    if "$@"; then
        passed="$passed $name"
        echo "==== $name: ok ($(($(date +%s) - start))s)"
    else
        failed="$failed $name"
        echo "==== $name: FAILED ($(($(date +%s) - start))s)"
    fi
}

step deps ci/install-deps.sh
step build make --no-print-directory -j2 all
step layers make --no-print-directory layers
step docs make --no-print-directory docs-check
step unit make --no-print-directory unit
for dir in stages/stage*; do
    n=${dir#stages/stage}
    step "suite-stage$n" make --no-print-directory integration STAGE="$n"
done
step oracle make --no-print-directory oracle
# The grade table on every stage's own binary and every extension, then the
# untouched starter kits, which must stop at step 0a with its explanation.
step grade make --no-print-directory grade
step grade-starters make --no-print-directory grade-starters
# Real clients against stage 6 (the node ones from npm's cache, or its
# registry the first time on a machine): about 30 to 45 s.
step clients make --no-print-directory clients
step asan make --no-print-directory asan
step tsan make --no-print-directory tsan
step valgrind make --no-print-directory valgrind
step fuzz make --no-print-directory fuzz FUZZ_SECONDS="$FUZZ_SECONDS"

echo
if [ -n "$failed" ]; then
    echo "check: FAILED:$failed (passed:$passed)"
    exit 1
fi
echo "check: all passed:$passed"
