#!/bin/bash
# redis-benchmark against a running server: tests/clients/benchmark.sh PORT
#
# Every default test but ZADD and ZPOPMIN, with a small -n, must complete:
# one CSV row each. ZADD, ZPOPMIN and LPUSH run apart (sorted sets are Part
# II chapter 14: a server without them fails that run in one line). redis-benchmark stops with exit status 1 at the first error
# reply ("Error from server: ..."). On connect it sends CONFIG GET save and
# CONFIG GET appendonly, and only warns if they fail: such a warning is
# shown but not counted as a failure. Without -r the keys are the literal
# key:__rand_int__, counter:__rand_int__, mylist, myset and myhash, so the
# first run's effects are checked exactly. A second run pipelines 16
# commands a request over random keys. The sorted set runs: ZADD of
# element:__rand_int__ (-r 1000: random members and scores), ZPOPMIN until
# the set is gone, then ZADD, ZPOPMIN, LPUSH pipelined. Last, a run of every
# default test (no -t), `redis-benchmark -q -n 2000`: it must complete; if
# it stops at a test whose command the server does not know (COMMAND INFO
# has nothing on it), one FAIL line names that test, the tests not run and
# the chapter the command is from.
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
# bench NAME -t TESTS ROW,ROW... OPTIONS...: the same for those tests.
bench() {
    local name=$1 row tests=$TESTS rows=("${ROWS[@]}")
    shift
    if [ "$1" = "-t" ]; then
        tests=$2
        IFS=, read -r -a rows <<< "$3"
        shift 3
    fi
    timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -q --csv -t "$tests" "$@" \
        > "$tmp/out.csv" 2> "$tmp/err.txt"
    expect "$name: exit status" "$?" "0"
    tr '\r' '\n' < "$tmp/err.txt" | grep -v '^ *$' | sed "s/^/  $name stderr: /" | head -n 5
    for row in "${rows[@]}"; do
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

# chapter_of COMMAND: the Part II chapter that brings COMMAND, if any.
chapter_of() {
    case $1 in
        z*) echo "Part II chapter 14, sorted sets" ;;
        *) echo "" ;;
    esac
}

# The sorted set tests: ZADD myzset SCORE element:__rand_int__ and ZPOPMIN
# myzset (run apart: without sorted sets, one FAIL line for them all).
probe=$(cli zcard myzset 2>&1 | sed 's/ *$//')
case $probe in
    "ERR unknown command"*)
        failed=$((failed + 1))
        echo "FAIL $label: ZADD, ZPOPMIN tests: not run: $probe (the server needs $(chapter_of zadd))" ;;
    *)
        cli del myzset > /dev/null
        # -r 1000: 2000 random members of 1000 possible (about 860 distinct).
        bench "-t zadd -n $N -r 1000" -t zadd ZADD -n "$N" -c 10 -r 1000
        members=$(cli zcard myzset 2>&1)
        if [[ "$members" =~ ^[0-9]+$ ]] && [ "$members" -gt 500 ] && [ "$members" -le 1000 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL $label: ZADD test -r 1000: ZCARD myzset is $members, want 501 to 1000"
        fi
        first=$(cli zrange myzset 0 0 2>&1)
        if [[ "$first" =~ ^element:0000000[0-9]{5}$ ]]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL $label: ZADD test -r 1000: a member is $(printf '%q' "$first"), want element:000000000NNN"
        fi
        # N pops of at most 1000 members: the set is emptied, then deleted.
        bench "-t zpopmin -n $N" -t zpopmin ZPOPMIN -n "$N" -c 10
        expect "ZPOPMIN test: myzset emptied and deleted" "$(cli exists myzset 2>&1)" "0"
        # Without -r ZADD adds one member (score 0) N times; ZPOPMIN pops
        # it once and then finds the set gone.
        bench "-t zadd,zpopmin,lpush -P 16" -t zadd,zpopmin,lpush ZADD,ZPOPMIN,LPUSH -n "$N" -c 10 -P 16
        expect "ZADD then ZPOPMIN tests: myzset emptied and deleted" "$(cli exists myzset 2>&1)" "0"
        ;;
esac

# Every default test, as `redis-benchmark -q -n N` runs them.
timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -q --csv -n "$N" > "$tmp/out.csv" 2> "$tmp/err.txt"
status=$?
tr '\r' '\n' < "$tmp/err.txt" | grep -v '^ *$' | grep -v '^Error from server' \
    | sed "s/^/  default tests stderr: /" | head -n 5
stopped=""
stopped_command=""
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
        stopped_command=$command
        not_run+=("$row")
    else
        failed=$((failed + 1))
        echo "FAIL $label: default tests: no result for $row" \
            "($(grep -m 1 '^Error from server' "$tmp/err.txt" || echo "exit status $status"))"
    fi
done
if [ -n "$stopped" ]; then
    failed=$((failed + 1))
    needs=$(chapter_of "$stopped_command")
    echo "FAIL $label: default tests stop at $stopped, whose command the server does not know" \
        "($(grep -m 1 -o "^Error from server: ERR unknown command '[^']*'" "$tmp/err.txt")); not run:" \
        "$(printf '%s, ' "${not_run[@]}" | sed 's/, $//')${needs:+ (the server needs $needs)}"
else
    expect "default tests: exit status" "$status" "0"
fi

echo "$label: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
