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
# --bigkeys. Exit status 1 on any failure.
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
