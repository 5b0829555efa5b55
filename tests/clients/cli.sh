#!/bin/bash
# redis-cli against a running server: tests/clients/cli.sh PORT
#
# One command per call (its output not a terminal, so replies come --raw
# style), -n 9 (redis-cli sends SELECT 9 first, and carries on in database
# 0 with a warning if that fails, so the data is checked), -x, --pipe with
# 5000 commands (it appends an ECHO of 20 random bytes and waits for its
# reply), --latency for 2 seconds (-i 2: with its output not a terminal it
# prints one line "min max avg samples" and exits), and interactive mode fed
# through stdin (it asks COMMAND DOCS first for its help and hints, falling
# back to COMMAND, then to built-in help). Part II: hashes and sets, a
# MULTI/EXEC/DISCARD/WATCH session, --scan --pattern (each key once) and
# --bigkeys; sorted sets (ZADD's options, ZRANGE BYSCORE REV, the digits of
# a double, -3 --no-raw for RESP3's pairs and doubles, ZUNIONSTORE and
# ZINTERSTORE with weights, ZSCAN cursor to cursor), blocking pops in the
# background woken by a push from another redis-cli (BLPOP BRPOP BLMOVE
# BZPOPMIN; a 0.1 s timeout) and SUBSCRIBE / PSUBSCRIBE in the background
# (in RESP2 and with -3) printing what PUBLISH sends. A section whose first
# command the server does not know fails in one line naming the chapter it
# needs. Exit status 1 on any failure.
# Assumes nothing else writes to the server meanwhile (DBSIZE is checked).
set -u
port=$1
label="redis-cli $(redis-cli --version | awk '{print $2}')"
K="cli:$$:$(date +%s%N):"        # every key starts with K, new each run
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cli() {
    timeout 20 redis-cli -h 127.0.0.1 -p "$port" "$@"
}

# expect NAME GOT WANT: compares two strings (multi-line allowed).
expect() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $label: $1: got $(printf '%q' "$2"), want $(printf '%q' "$3")"
    fi
}

# expect_match NAME GOT REGEX: GOT must match the extended regex.
expect_match() {
    if [[ "$2" =~ $3 ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $label: $1: got $(printf '%q' "$2"), want a match of /$3/"
    fi
}

# ---- one command per call
expect "PING" "$(cli ping 2>&1)" "PONG"
expect "SET" "$(cli set "${K}s" hello 2>&1)" "OK"
expect "GET" "$(cli get "${K}s" 2>&1)" "hello"
expect "GET missing (nil is an empty line when not a terminal)" "$(cli get "${K}missing" 2>&1)" ""
expect "SET with a space in the value" "$(cli set "${K}space" "hello world" 2>&1)" "OK"
expect "GET it back" "$(cli get "${K}space" 2>&1)" "hello world"
expect "INCR" "$(cli incr "${K}n" 2>&1)" "1"
expect "INCRBY" "$(cli incrby "${K}n" 41 2>&1)" "42"
expect "-r 3 INCR" "$(cli -r 3 incr "${K}n" 2>&1)" "$(printf '43\n44\n45')"
expect "EXPIRE" "$(cli expire "${K}n" 100 2>&1)" "1"
expect_match "TTL" "$(cli ttl "${K}n" 2>&1)" '^(9[1-9]|100)$'
expect "RPUSH" "$(cli rpush "${K}l" a b c 2>&1)" "3"
expect "LRANGE (one element a line)" "$(cli lrange "${K}l" 0 -1 2>&1)" "$(printf 'a\nb\nc')"
expect "LPOP" "$(cli lpop "${K}l" 2>&1)" "a"
expect "-x SET (last argument from stdin)" "$(printf 'from\nstdin' | cli -x set "${K}x" 2>&1)" "OK"
expect "GET of the -x value" "$(cli get "${K}x" 2>&1)" "$(printf 'from\nstdin')"
expect "an error reply is printed" "$(cli get "${K}l" 2>&1)" \
    "WRONGTYPE Operation against a key holding the wrong kind of value"
cli -e get "${K}l" >/dev/null 2>&1
expect "-e makes an error reply exit 1" "$?" "1"

# ---- -n 9: SELECT 9 on connect
expect "-n 9 SET" "$(cli -n 9 set "${K}db" nine 2>&1)" "OK"
expect "-n 9 GET" "$(cli -n 9 get "${K}db" 2>&1)" "nine"
expect "GET of the db 9 key in db 0" "$(cli get "${K}db" 2>&1)" ""
expect "-n 9 EXISTS" "$(cli -n 9 exists "${K}db" "${K}s" 2>&1)" "1"

# ---- --pipe: 3000 SETs and 2000 RPUSHes in the protocol, one stream
before=$(cli dbsize 2>&1)
awk -v k="$K" 'BEGIN {
    for (i = 0; i < 3000; i++) {
        key = k "pipe:" i; val = "v" i
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(val), val
    }
    key = k "pipelist"
    for (i = 0; i < 2000; i++)
        printf "*3\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(i ""), i
}' > "$tmp/commands.resp"
cli --pipe < "$tmp/commands.resp" > "$tmp/pipe.out" 2>&1
status=$?
expect "--pipe exit status" "$status" "0"
expect "--pipe summary" "$(tail -n 1 "$tmp/pipe.out")" "errors: 0, replies: 5000"
expect "DBSIZE after --pipe" "$(cli dbsize 2>&1)" "$((before + 3001))"
expect "GET of a piped key" "$(cli get "${K}pipe:2999" 2>&1)" "v2999"
expect "LLEN of the piped list" "$(cli llen "${K}pipelist" 2>&1)" "2000"
expect "LRANGE of the piped list" "$(cli lrange "${K}pipelist" 1997 -1 2>&1)" "$(printf '1997\n1998\n1999')"

# ---- --latency for 2 seconds
start=$(date +%s%N)
latency=$(timeout 10 redis-cli -h 127.0.0.1 -p "$port" --latency -i 2 2>&1)
status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect "--latency exit status" "$status" "0"
expect_match "--latency line: min max avg samples" "$latency" '^[0-9]+ [0-9]+ [0-9.]+ [0-9]+$'
samples=${latency##* }
# (loose bounds: about 2 s and 190 samples, one each 10 ms, on an idle machine)
if [ "$elapsed_ms" -ge 1900 ] && [ "$elapsed_ms" -lt 9000 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL $label: --latency -i 2 took $elapsed_ms ms, want about 2000"
fi
expect_match "--latency samples (one each 10 ms)" "$samples" '^([2-9][0-9]|[1-2][0-9][0-9])$'

# ---- interactive mode fed through stdin
cat > "$tmp/session.txt" <<EOF
set ${K}i 1
incr ${K}i
get ${K}i
rpush ${K}il x "y z"
lrange ${K}il 0 -1
ttl ${K}i
select 9
get ${K}i
get ${K}db
select 0
get ${K}i
nosuchcommand
EOF
# (trailing blanks dropped: redis-cli ends the unknown-command error with one)
got=$(cli < "$tmp/session.txt" 2>&1 | sed 's/ *$//')
want=$(cat <<'EOF'
OK
2
2
2
x
y z
-1
OK

nine
OK
2
ERR unknown command 'nosuchcommand', with args beginning with:
EOF
)
expect "interactive session" "$got" "$want"

# ---- Part II: hashes and sets, one command per call
expect "HSET" "$(cli hset "${K}h" a 1 b 2 c 3 2>&1)" "3"
expect "HGETALL (field, value, one a line)" "$(cli hgetall "${K}h" 2>&1)" "$(printf 'a\n1\nb\n2\nc\n3')"
expect "HGETALL --no-raw (numbered, quoted)" "$(cli --no-raw hgetall "${K}h" 2>&1)" \
    "$(printf '1) "a"\n2) "1"\n3) "b"\n4) "2"\n5) "c"\n6) "3"')"
expect "HGETALL --no-raw of a missing key" "$(cli --no-raw hgetall "${K}nohash" 2>&1)" "(empty array)"
expect "HINCRBY" "$(cli hincrby "${K}h" b 40 2>&1)" "42"
expect "HMGET (a missing field is an empty line)" "$(cli hmget "${K}h" a zz b 2>&1)" "$(printf '1\n\n42')"
expect "HINCRBY by a non-integer" "$(cli hincrby "${K}h" zz x 2>&1)" "ERR value is not an integer or out of range"
expect "SADD" "$(cli sadd "${K}set" a b c a 2>&1)" "3"
expect "SMEMBERS (sorted here)" "$(cli smembers "${K}set" 2>&1 | sort)" "$(printf 'a\nb\nc')"
cli sadd "${K}set2" b c d > /dev/null
expect "SINTER (sorted here)" "$(cli sinter "${K}set" "${K}set2" 2>&1 | sort)" "$(printf 'b\nc')"
expect "SPOP 5 of 3 (sorted here)" "$(cli spop "${K}set" 5 2>&1 | sort)" "$(printf 'a\nb\nc')"
expect "the emptied set is deleted" "$(cli exists "${K}set" 2>&1)" "0"
# 600 fields and members, past the listpack and intset limits: hash tables.
# shellcheck disable=SC2046
expect "HSET of 600 fields" "$(cli hset "${K}bighash" $(seq 600 | sed 's/.*/f& v&/') 2>&1)" "600"
# shellcheck disable=SC2046
expect "SADD of 600 members" "$(cli sadd "${K}bigset" $(seq 600) 2>&1)" "600"
expect "OBJECT ENCODING of the big hash" "$(cli object encoding "${K}bighash" 2>&1)" "hashtable"
expect "HLEN" "$(cli hlen "${K}bighash" 2>&1)" "600"
expect "SCARD" "$(cli scard "${K}bigset" 2>&1)" "600"

# ---- Part II: MULTI/EXEC, DISCARD, WATCH in interactive mode
cat > "$tmp/multi.txt" <<EOF
multi
set ${K}m 1
incr ${K}m
hset ${K}mh f v
exec
exec
multi
set ${K}md 1
discard
exists ${K}md
watch ${K}m
set ${K}m 5
multi
get ${K}m
exec
multi
incr ${K}mh
incr ${K}m
exec
multi
set ${K}ma
exec
exists ${K}ma
EOF
# (an error reply is followed by an empty line; a nil EXEC is an empty line)
got=$(cli < "$tmp/multi.txt" 2>&1 | sed 's/ *$//')
want=$(cat <<'EOF'
OK
QUEUED
QUEUED
QUEUED
OK
2
1
ERR EXEC without MULTI

OK
QUEUED
OK
0
OK
OK
OK
QUEUED

OK
QUEUED
QUEUED
WRONGTYPE Operation against a key holding the wrong kind of value

6
OK
ERR wrong number of arguments for 'set' command

EXECABORT Transaction discarded because of previous errors.

0
EOF
)
expect "MULTI/EXEC session" "$got" "$want"

# ---- Part II: --scan --pattern (SCAN MATCH, cursor to cursor)
cli --scan --pattern "${K}pipe:1*" > "$tmp/scan.out" 2>&1
expect "--scan exit status" "$?" "0"
expect "--scan: no key twice" "$(sort "$tmp/scan.out" | uniq -d | head -n 3)" ""
{ echo 1; seq 10 19; seq 100 199; seq 1000 1999; } | sed "s/^/${K}pipe:/" | sort > "$tmp/scan.want"
expect "--scan: pipe:1* is 1111 keys" "$(wc -l < "$tmp/scan.out")" "1111"
expect "--scan: every key of pipe:1*, none else" \
    "$(sort "$tmp/scan.out" | comm -3 - "$tmp/scan.want" | head -n 3)" ""
expect "--scan of a pattern no key matches" "$(cli --scan --pattern "${K}none:*" 2>&1)" ""

# ---- Part II: --bigkeys (SCAN, TYPE, then STRLEN LLEN HLEN SCARD ... each)
bigkeys=$(cli --bigkeys 2>&1)
expect "--bigkeys exit status" "$?" "0"
expect_match "--bigkeys: the biggest hash" "$bigkeys" "Biggest +hash found '\"${K}bighash\"' has 600 fields"
expect_match "--bigkeys: the biggest set" "$bigkeys" "Biggest +set found '\"${K}bigset\"' has 600 members"

# knows SECTION CHAPTER COMMAND...: runs COMMAND; true unless the server does
# not know it, which is then one FAIL line for the whole section (its other
# checks are not run: they would all fail the same way).
knows() {
    local section=$1 chapter=$2 out
    shift 2
    out=$(cli "$@" 2>&1 | sed 's/ *$//')
    case $out in
        "ERR unknown command"* | "ERR unknown subcommand"*)
            failed=$((failed + 1))
            echo "FAIL $label: $section: not run: $out (the server needs Part II chapter $chapter)"
            return 1 ;;
    esac
    return 0
}

# elapsed_ms START: milliseconds since START (a date +%s%N).
elapsed_ms() {
    echo $((($(date +%s%N) - $1) / 1000000))
}

# expect_between NAME GOT LOW HIGH: LOW <= GOT < HIGH.
expect_between() {
    if [ "$2" -ge "$3" ] && [ "$2" -lt "$4" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $label: $1: got $2, want $3 to $(($4 - 1))"
    fi
}

# ---- Part II: sorted sets (chapter 14), one command per call
z="${K}z"
if knows "sorted sets" "14, sorted sets" zcard "$z"; then
    expect "ZADD" "$(cli zadd "$z" 1 a 2 b 3 c 2>&1)" "3"
    expect "ZADD NX of a member already in" "$(cli zadd "$z" nx 5 a 2>&1)" "0"
    expect "ZADD XX CH (one changed, one not added)" "$(cli zadd "$z" xx ch 0.5 a 4 d 2>&1)" "1"
    expect "ZADD GT CH with a lower score" "$(cli zadd "$z" gt ch 1 b 2>&1)" "0"
    expect "ZADD GT CH with a higher score" "$(cli zadd "$z" gt ch 2.5 b 2>&1)" "1"
    expect "ZADD INCR (the new score)" "$(cli zadd "$z" incr 10 c 2>&1)" "13"
    expect "ZADD XX NX" "$(cli zadd "$z" xx nx 1 a 2>&1)" \
        "ERR XX and NX options at the same time are not compatible"
    expect "ZADD of a score that is not a float" "$(cli zadd "$z" abc x 2>&1)" \
        "ERR value is not a valid float"
    expect "ZRANGE WITHSCORES (member, score, one a line)" "$(cli zrange "$z" 0 -1 withscores 2>&1)" \
        "$(printf 'a\n0.5\nb\n2.5\nc\n13')"
    expect "ZRANGE BYSCORE REV LIMIT" "$(cli zrange "$z" +inf -inf byscore rev limit 0 2 2>&1)" \
        "$(printf 'c\nb')"
    expect "ZRANGEBYSCORE (0.5 +inf" "$(cli zrangebyscore "$z" '(0.5' +inf 2>&1)" "$(printf 'b\nc')"
    expect "ZRANK" "$(cli zrank "$z" c 2>&1)" "2"
    expect "ZSCORE" "$(cli zscore "$z" a 2>&1)" "0.5"
    expect "ZSCORE of a missing member (an empty line)" "$(cli zscore "$z" zz 2>&1)" ""
    expect "ZINCRBY of a new member (17 digits)" "$(cli zincrby "$z" 0.2 f 2>&1)" "0.20000000000000001"
    expect "ZINCRBY 0.1 (0.2 + 0.1 in binary floating point)" "$(cli zincrby "$z" 0.1 f 2>&1)" \
        "0.30000000000000004"
    expect "ZRANGE WITHSCORES --no-raw (RESP2)" "$(cli --no-raw zrange "$z" 1 2 withscores 2>&1)" \
        "$(printf '1) "a"\n2) "0.5"\n3) "b"\n4) "2.5"')"
    # RESP3 (HELLO 3): WITHSCORES gives [member, score] pairs, scores doubles.
    expect "ZRANGE WITHSCORES -3 --no-raw (RESP3 pairs of doubles)" \
        "$(cli -3 --no-raw zrange "$z" 1 2 withscores 2>&1)" \
        "$(printf '1) 1) "a"\n   2) (double) 0.5\n2) 1) "b"\n   2) (double) 2.5')"
    expect "ZSCORE -3 --no-raw (a RESP3 double)" "$(cli -3 --no-raw zscore "$z" f 2>&1)" \
        "(double) 0.30000000000000004"
    expect "ZPOPMIN" "$(cli zpopmin "$z" 2>&1)" "$(printf 'f\n0.30000000000000004')"
    expect "ZPOPMIN 2 -3 --no-raw (RESP3 pairs)" "$(cli -3 --no-raw zpopmin "$z" 2 2>&1)" \
        "$(printf '1) 1) "a"\n   2) (double) 0.5\n2) 1) "b"\n   2) (double) 2.5')"
    expect "TYPE zset" "$(cli type "$z" 2>&1)" "zset"
    cli zadd "${K}z1" 1 a 2 b 3 c > /dev/null
    cli zadd "${K}z2" 10 b 20 c 30 d > /dev/null
    expect "ZUNIONSTORE WEIGHTS 2 3" "$(cli zunionstore "${K}zu" 2 "${K}z1" "${K}z2" weights 2 3 2>&1)" "4"
    expect "ZRANGE of the union" "$(cli zrange "${K}zu" 0 -1 withscores 2>&1)" \
        "$(printf 'a\n2\nb\n34\nc\n66\nd\n90')"
    expect "ZINTERSTORE WEIGHTS 100 1 AGGREGATE MAX" \
        "$(cli zinterstore "${K}zi" 2 "${K}z1" "${K}z2" weights 100 1 aggregate max 2>&1)" "2"
    expect "ZRANGE of the intersection" "$(cli zrange "${K}zi" 0 -1 withscores 2>&1)" \
        "$(printf 'b\n200\nc\n300')"
    # 600 members, past zset-max-listpack-entries: a skip list, walked by
    # ZSCAN's cursor here (redis-cli has no helper for ZSCAN).
    # shellcheck disable=SC2046
    expect "ZADD of 600 members" "$(cli zadd "${K}bigz" $(seq 600 | sed 's/.*/& m&/') 2>&1)" "600"
    expect "OBJECT ENCODING of the big sorted set" "$(cli object encoding "${K}bigz" 2>&1)" "skiplist"
    cursor=0
    : > "$tmp/zscan.out"
    for _ in $(seq 1000); do
        cli zscan "${K}bigz" "$cursor" count 100 > "$tmp/zscan.page" 2>&1
        cursor=$(head -n 1 "$tmp/zscan.page")
        tail -n +2 "$tmp/zscan.page" | paste - - >> "$tmp/zscan.out"
        [ "$cursor" = 0 ] && break
        case $cursor in *[!0-9]* | "") break ;; esac
    done
    expect "ZSCAN to cursor 0" "$cursor" "0"
    expect "ZSCAN: no member twice" "$(sort "$tmp/zscan.out" | uniq -d | head -n 3)" ""
    expect "ZSCAN: every member with its score" "$(sort "$tmp/zscan.out")" \
        "$(seq 600 | awk '{ printf "m%d\t%d\n", $1, $1 }' | sort)"
fi

# ---- Part II: blocking pops (chapter 15), woken by another redis-cli
# block COMMAND...: starts redis-cli COMMAND in the background; sets bpid.
block() {
    cli "$@" > "$tmp/blocked.out" 2>&1 &
    bpid=$!
}
# woken NAME WANT: after a push, the blocked redis-cli exits with WANT.
woken() {
    for _ in $(seq 300); do
        kill -0 "$bpid" 2> /dev/null || break
        sleep 0.01
    done
    if kill -0 "$bpid" 2> /dev/null; then
        failed=$((failed + 1))
        echo "FAIL $label: $1: still blocked 3 s after the push"
        kill "$bpid" 2> /dev/null
    else
        expect "$1" "$(cat "$tmp/blocked.out")" "$2"
    fi
    wait "$bpid" 2> /dev/null
}
still_blocked() {
    sleep 0.1
    expect "$1: still blocked after 100 ms" "$(kill -0 "$bpid" 2> /dev/null && echo blocked)" "blocked"
}
if knows "blocking" "15, blocking" blpop "${K}none" 0.01; then
    block blpop "${K}bl1" "${K}bl2" 2
    still_blocked "BLPOP on two empty lists"
    expect "RPUSH to a key a client waits on" "$(cli rpush "${K}bl2" x 2>&1)" "1"
    woken "BLPOP woken by RPUSH (key, element)" "$(printf '%s\n%s' "${K}bl2" x)"
    block brpop "${K}br" 2
    still_blocked "BRPOP"
    cli rpush "${K}br" a b > /dev/null
    woken "BRPOP woken by RPUSH of two (the last)" "$(printf '%s\n%s' "${K}br" b)"
    expect "LRANGE of what BRPOP left" "$(cli lrange "${K}br" 0 -1 2>&1)" "a"
    block blmove "${K}blsrc" "${K}bldst" right left 2
    still_blocked "BLMOVE"
    cli lpush "${K}blsrc" moved > /dev/null
    woken "BLMOVE woken by LPUSH" "moved"
    expect "LRANGE of BLMOVE's destination" "$(cli lrange "${K}bldst" 0 -1 2>&1)" "moved"
    start=$(date +%s%N)
    expect "BLPOP with timeout 0.1 on a missing key (nil: an empty line)" "$(cli blpop "${K}none" 0.1 2>&1)" ""
    expect_between "BLPOP with timeout 0.1: how long it waited (ms)" "$(elapsed_ms "$start")" 90 1500
    if knows "blocking (BZPOPMIN)" "14, sorted sets" zcard "${K}bz"; then
        block bzpopmin "${K}bz" 2
        still_blocked "BZPOPMIN"
        cli zadd "${K}bz" 1.5 m 0.5 n > /dev/null
        woken "BZPOPMIN woken by ZADD (key, member, score)" "$(printf '%s\n%s\n%s' "${K}bz" n 0.5)"
        expect "BZPOPMIN -3 --no-raw (the score a RESP3 double)" "$(cli -3 --no-raw bzpopmin "${K}bz" 1 2>&1)" \
            "$(printf '1) "%s"\n2) "m"\n3) (double) 1.5' "${K}bz")"
        expect "BZPOPMIN with timeout 0.1 --no-raw" "$(cli --no-raw bzpopmin "${K}none" 0.1 2>&1)" "(nil)"
    fi
fi

# ---- Part II: pub/sub (chapter 16): redis-cli SUBSCRIBE in the background
# prints each message as it comes (kind, channel, payload, one a line); it
# runs until stopped, here by its PID once the messages are in.
# subscriber OUT OPTIONS... COMMAND...: sets spid.
subscriber() {
    local out=$1
    shift
    timeout 10 redis-cli -h 127.0.0.1 -p "$port" "$@" > "$out" 2>&1 &
    spid=$!
}
# wait_lines FILE N: until FILE has N lines (up to 3 s).
wait_lines() {
    for _ in $(seq 300); do
        [ "$(wc -l < "$1")" -ge "$2" ] && return 0
        sleep 0.01
    done
    return 1
}
stop_subscriber() {
    kill "$spid" 2> /dev/null
    wait "$spid" 2> /dev/null
}
if knows "pub/sub" "16, pub/sub" publish "${K}nobody" x; then
    for resp in 2 3; do
        opts=()
        [ "$resp" = 3 ] && opts=(-3)
        subscriber "$tmp/sub.out" "${opts[@]}" subscribe "${K}c1" "${K}c2"
        # Both subscriptions hold once their confirmations are printed.
        wait_lines "$tmp/sub.out" 6
        expect "RESP$resp SUBSCRIBE of two channels: PUBSUB NUMSUB" \
            "$(cli pubsub numsub "${K}c1" "${K}c2" 2>&1)" "$(printf '%s\n1\n%s\n1' "${K}c1" "${K}c2")"
        expect "RESP$resp PUBSUB CHANNELS" "$(cli pubsub channels "${K}c*" 2>&1 | sort)" \
            "$(printf '%s\n%s' "${K}c1" "${K}c2")"
        for m in m1 m2 m3; do
            expect "RESP$resp PUBLISH $m" "$(cli publish "${K}c1" "$m" 2>&1)" "1"
        done
        expect "RESP$resp PUBLISH with a space" "$(cli publish "${K}c2" "two words" 2>&1)" "1"
        wait_lines "$tmp/sub.out" 18
        stop_subscriber
        expect "RESP$resp redis-cli SUBSCRIBE: confirmations, then the messages in order" \
            "$(cat "$tmp/sub.out")" \
            "$(printf 'subscribe\n%s\n1\nsubscribe\n%s\n2\n' "${K}c1" "${K}c2"
               for m in m1 m2 m3; do printf 'message\n%s\n%s\n' "${K}c1" "$m"; done
               printf 'message\n%s\ntwo words' "${K}c2")"
    done
    # The server drops a subscriber's channels when its connection closes.
    for _ in $(seq 100); do
        [ "$(cli pubsub numsub "${K}c1" 2>&1 | tail -n 1)" = 0 ] && break
        sleep 0.01
    done
    expect "PUBSUB NUMSUB after the subscriber quit" "$(cli pubsub numsub "${K}c1" 2>&1)" "$(printf '%s\n0' "${K}c1")"
    expect "PUBLISH to a channel nobody listens to" "$(cli publish "${K}c1" lost 2>&1)" "0"

    subscriber "$tmp/psub.out" psubscribe "${K}news.*"
    wait_lines "$tmp/psub.out" 3
    expect "PUBSUB NUMPAT" "$(cli pubsub numpat 2>&1)" "1"
    expect "PUBLISH to a channel the pattern matches" "$(cli publish "${K}news.sport" goal 2>&1)" "1"
    expect "PUBLISH to a channel it does not match" "$(cli publish "${K}other" x 2>&1)" "0"
    wait_lines "$tmp/psub.out" 7
    stop_subscriber
    expect "redis-cli PSUBSCRIBE: the confirmation, then a pmessage" "$(cat "$tmp/psub.out")" \
        "$(printf 'psubscribe\n%s\n1\npmessage\n%s\n%s\ngoal' "${K}news.*" "${K}news.*" "${K}news.sport")"
fi

# `help CMD` shows the syntax redis-cli builds from COMMAND DOCS' arguments
# (the same arguments give the grey hints as one types). The server's
# COMMAND DOCS has no arguments yet, so a missing syntax is a note, not a
# failure.
help=$(printf 'help lpush\nhelp set\n' | cli 2>&1 | sed 's/\x1b\[[0-9;]*m//g; s/\r//g; s/ *$//')
for want in "LPUSH key element [element ...]" \
    "SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"; do
    if ! grep -qxF -- "  $want" <<< "$help"; then
        echo "NOTE $label: interactive 'help ${want%% *}' shows no syntax (Redis: '$want'):" \
            "COMMAND DOCS gives no arguments, so redis-cli has no hints either"
    fi
done

echo "$label: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
