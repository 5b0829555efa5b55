#!/bin/sh
# The starter kits (starter/), untouched, against `make grade`: each must
# build, and grading must stop at step 0a with its explanation. A starter
# that passes 0a, or a grade table that stops explaining itself, fails here.
set -u
cd "$(dirname "$0")/.."

status=0
check() {
    name=$1
    server=$2
    out=$(mktemp)
    /usr/bin/python3 tests/grade.py --stage 0 --build-dir build/starters-$name \
        --server-cmd "$server" > "$out" 2>&1
    code=$?
    lines=$(wc -l < "$out")
    if [ "$code" -ne 0 ] &&
       grep -q "^The first failing step: 0a," "$out" &&
       grep -q 'Read workshop.md chapter 0, "Build it yourself", step 0a.' "$out" &&
       [ "$lines" -lt 80 ]; then
        echo "  GRADE starter/$name: stops at step 0a, explained ($lines lines)"
    else
        echo "  GRADE starter/$name: expected a stop at step 0a with its explanation (exit $code, $lines lines):"
        cat "$out"
        status=1
    fi
    rm -f "$out"
}

make --no-print-directory -C starter/c || exit 1
check c "starter/c/server --port {port}"
check python "/usr/bin/python3 starter/python/server.py --port {port}"
exit $status
