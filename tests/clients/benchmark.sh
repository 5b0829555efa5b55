#!/bin/bash
# redis-benchmark against a running server: tests/clients/benchmark.sh PORT
#
# Every default test whose commands the workshop's server supports (all but
# SADD, HSET, SPOP, ZADD, ZPOPMIN), with a small -n, must complete: one CSV
# row each. redis-benchmark stops with exit status 1 at the first error
# reply ("Error from server: ..."). On connect it sends CONFIG GET save and
# CONFIG GET appendonly, and only warns if they fail: such a warning is
# shown but not counted as a failure. Without -r the keys are the literal
# key:__rand_int__, counter:__rand_int__ and mylist, so the first run's
# effects are checked exactly. A second run pipelines 16 commands a
# request over random keys. Exit status 1 on any failure.
# Assumes nothing else writes to the server meanwhile.
set -u
port=$1
label="redis-benchmark $(redis-benchmark --version | awk '{print $2}')"
TESTS=ping,set,get,incr,lpush,rpush,lpop,rpop,lrange_100,lrange_300,lrange_500,lrange_600,mset
ROWS=(PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH LPOP RPOP
      "LPUSH (needed to benchmark LRANGE)" "LRANGE_100 (first 100 elements)"
      "LRANGE_300 (first 300 elements)" "LRANGE_500 (first 500 elements)"
      "LRANGE_600 (first 600 elements)" "MSET (10 keys)")
N=2000
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cli() {
    timeout 20 redis-cli -h 127.0.0.1 -p "$port" "$@"
}

expect() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $label: $1: got $(printf '%q' "$2"), want $(printf '%q' "$3")"
    fi
}

# bench NAME OPTIONS...: runs redis-benchmark, checks its exit status and
# that every test of ROWS printed its row.
bench() {
    local name=$1 row
    shift
    timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -q --csv -t "$TESTS" "$@" \
        > "$tmp/out.csv" 2> "$tmp/err.txt"
    expect "$name: exit status" "$?" "0"
    tr '\r' '\n' < "$tmp/err.txt" | grep -v '^ *$' | sed "s/^/  $name stderr: /" | head -n 5
    for row in "${ROWS[@]}"; do
        if grep -q "^\"$row\",\"[0-9.]*\"" "$tmp/out.csv"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL $label: $name: no result for $row"
        fi
    done
}

cli del key:__rand_int__ counter:__rand_int__ mylist > /dev/null
bench "-n $N -c 10" -n "$N" -c 10
expect "INCR test: counter:__rand_int__" "$(cli get counter:__rand_int__ 2>&1)" "$N"
expect "SET test: STRLEN key:__rand_int__ (-d 3)" "$(cli strlen key:__rand_int__ 2>&1)" "3"
# LPUSH, RPUSH, LPOP, RPOP: N each, net 0; then N more LPUSHes for LRANGE.
expect "list tests: LLEN mylist" "$(cli llen mylist 2>&1)" "$N"
expect "LRANGE_600 sees 600 elements" "$(cli lrange mylist 0 599 2>&1 | wc -l)" "600"

bench "-n 5000 -P 16 -r 1000" -n 5000 -c 10 -P 16 -r 1000
expect_keys=$(cli keys 'key:0000000*' 2>&1 | wc -l)
if [ "$expect_keys" -gt 0 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL $label: -r 1000: no key:000000000NNN key written"
fi

echo "$label: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
