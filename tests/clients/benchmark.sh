#!/bin/bash
# redis-benchmark against a running server: tests/clients/benchmark.sh PORT
#
# Every default test whose commands the workshop's server supports (all but
# ZADD and ZPOPMIN: no sorted sets yet), with a small -n, must complete: one
# CSV row each. redis-benchmark stops with exit status 1 at the first error
# reply ("Error from server: ..."). On connect it sends CONFIG GET save and
# CONFIG GET appendonly, and only warns if they fail: such a warning is
# shown but not counted as a failure. Without -r the keys are the literal
# key:__rand_int__, counter:__rand_int__, mylist, myset and myhash, so the
# first run's effects are checked exactly. A second run pipelines 16
# commands a request over random keys. Last, a run of every default test
# (no -t): it must complete, or stop only at a test whose command the server
# does not know (COMMAND INFO has nothing on it) with "unknown command";
# such a stop is a NOTE naming the tests not run, not a failure.
# Exit status 1 on any failure.
# Assumes nothing else writes to the server meanwhile.
set -u
port=$1
label="redis-benchmark $(redis-benchmark --version | awk '{print $2}')"
TESTS=ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange_100,lrange_300,lrange_500,lrange_600,mset
ROWS=(PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET SPOP
      "LPUSH (needed to benchmark LRANGE)" "LRANGE_100 (first 100 elements)"
      "LRANGE_300 (first 300 elements)" "LRANGE_500 (first 500 elements)"
      "LRANGE_600 (first 600 elements)" "MSET (10 keys)")
# Every default test's row, in the order it runs, and the command it sends.
DEFAULT_ROWS=(PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET SPOP
      ZADD ZPOPMIN "LPUSH (needed to benchmark LRANGE)" "LRANGE_100 (first 100 elements)"
      "LRANGE_300 (first 300 elements)" "LRANGE_500 (first 500 elements)"
      "LRANGE_600 (first 600 elements)" "MSET (10 keys)")
DEFAULT_COMMANDS=(ping ping set get incr lpush rpush lpop rpop sadd hset spop
      zadd zpopmin lpush lrange lrange lrange lrange mset)
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

cli del key:__rand_int__ counter:__rand_int__ mylist myset myhash > /dev/null
bench "-n $N -c 10" -n "$N" -c 10
expect "INCR test: counter:__rand_int__" "$(cli get counter:__rand_int__ 2>&1)" "$N"
expect "SET test: STRLEN key:__rand_int__ (-d 3)" "$(cli strlen key:__rand_int__ 2>&1)" "3"
# LPUSH, RPUSH, LPOP, RPOP: N each, net 0; then N more LPUSHes for LRANGE.
expect "list tests: LLEN mylist" "$(cli llen mylist 2>&1)" "$N"
expect "LRANGE_600 sees 600 elements" "$(cli lrange mylist 0 599 2>&1 | wc -l)" "600"
# SADD adds element:__rand_int__ N times, SPOP pops it once and then finds
# the set gone; HSET sets one field of 3 random bytes N times.
expect "SADD then SPOP tests: myset emptied and deleted" "$(cli exists myset 2>&1)" "0"
expect "HSET test: HLEN myhash" "$(cli hlen myhash 2>&1)" "1"
expect "HSET test: HSTRLEN myhash element:__rand_int__" \
    "$(cli hstrlen myhash element:__rand_int__ 2>&1)" "3"

bench "-n 5000 -P 16 -r 1000" -n 5000 -c 10 -P 16 -r 1000
expect_keys=$(cli keys 'key:0000000*' 2>&1 | wc -l)
if [ "$expect_keys" -gt 0 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL $label: -r 1000: no key:000000000NNN key written"
fi

# Every default test, as `redis-benchmark -q -n N` runs them.
timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -q --csv -n "$N" > "$tmp/out.csv" 2> "$tmp/err.txt"
status=$?
tr '\r' '\n' < "$tmp/err.txt" | grep -v '^ *$' | grep -v '^Error from server' \
    | sed "s/^/  default tests stderr: /" | head -n 5
stopped=""
not_run=()
for i in "${!DEFAULT_ROWS[@]}"; do
    row=${DEFAULT_ROWS[$i]}
    command=${DEFAULT_COMMANDS[$i]}
    if [ -n "$stopped" ]; then
        not_run+=("$row")
    elif grep -q "^\"$row\",\"[0-9.]*\"" "$tmp/out.csv"; then
        passed=$((passed + 1))
    elif [ "$status" -ne 0 ] && [ -z "$(cli command info "$command" 2>&1)" ] &&
        grep -qi "^Error from server: ERR unknown command '$command'" "$tmp/err.txt"; then
        stopped=$row
        not_run+=("$row")
    else
        failed=$((failed + 1))
        echo "FAIL $label: default tests: no result for $row" \
            "($(grep -m 1 '^Error from server' "$tmp/err.txt" || echo "exit status $status"))"
    fi
done
if [ -n "$stopped" ]; then
    echo "NOTE $label: default tests stop at $stopped, whose command the server does not know" \
        "($(grep -m 1 -o "^Error from server: ERR unknown command '[^']*'" "$tmp/err.txt")); not run:" \
        "$(printf '%s, ' "${not_run[@]}" | sed 's/, $//')"
else
    expect "default tests: exit status" "$status" "0"
fi

echo "$label: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
