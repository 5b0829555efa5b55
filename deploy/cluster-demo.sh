#!/bin/bash
# make cluster-demo, or: deploy/cluster-demo.sh [SERVER_BINARY]
#
# Scale-out with twemproxy, on loopback only: starts three servers
# (SERVER_BINARY, default build/stage6) on 127.0.0.1:7101-7103 and
# nutcracker on 127.0.0.1:22121 (stats on 127.0.0.1:22222) with
# deploy/nutcracker.yml, then
#   1. runs redis-benchmark through the proxy and against one server,
#   2. shows that commands twemproxy does not proxy close the connection,
#   3. empties the servers and writes 1000 keys through the proxy with
#      redis-py (deploy/write-keys.py),
#   4. shows how the keys spread over the servers (DBSIZE, INFO keyspace)
#      and how many requests the proxy sent each (its stats).
# Everything it starts is stopped by PID at the end, also on failure or
# Ctrl-C. DEMO_REQUESTS=N sets redis-benchmark's -n (default 20000).
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
server=${1:-$repo/build/stage6}
conf=$here/nutcracker.yml
ports=(7101 7102 7103)             # as in nutcracker.yml
proxy=22121
stats=22222
requests=${DEMO_REQUESTS:-20000}

pids=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cluster-demo.XXXXXX")
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2> /dev/null
    done
    for _ in $(seq 50); do
        local alive=0
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2> /dev/null && alive=1
        done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2> /dev/null
        wait "$pid" 2> /dev/null
    done
    pids=()
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo; echo "cluster-demo: interrupted, stopping everything"; exit 130' INT TERM

die() {
    echo "cluster-demo: $*" >&2
    exit 1
}

cli() {
    timeout 10 redis-cli -h 127.0.0.1 "$@"
}

# wait_ping PORT WHAT: waits up to 10 s for PONG on PORT.
wait_ping() {
    for _ in $(seq 100); do
        [ "$(cli -p "$1" ping 2> /dev/null)" = "PONG" ] && return 0
        sleep 0.1
    done
    die "$2 on port $1 did not answer PING within 10 s"
}

command -v nutcracker > /dev/null ||
    die "nutcracker (twemproxy) is not installed: run ci/install-deps.sh (Debian package nutcracker)"
[ -x "$server" ] || command -v "$server" > /dev/null ||
    die "$server: no such server binary (make stage6 builds build/stage6)"
for port in "${ports[@]}" "$proxy" "$stats"; do
    # (SO_REUSEADDR as servers do: a port with only closed connections in
    # TIME_WAIT is free for them)
    /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()' "$port" 2> /dev/null || die "port $port on 127.0.0.1 is taken: stop what holds it first"
done

echo "==== Starting 3 servers ($server) and twemproxy"
extra=()
[ "$(basename "$server")" = "redis-server" ] && extra=(--save '')
for i in 0 1 2; do
    mkdir "$tmp/server$((i + 1))"
    "$server" --port "${ports[$i]}" --bind 127.0.0.1 --appendonly no \
        --dir "$tmp/server$((i + 1))" "${extra[@]}" > "$tmp/server$((i + 1)).log" 2>&1 &
    pids+=($!)
done
for i in 0 1 2; do
    wait_ping "${ports[$i]}" "server$((i + 1))"
done
nutcracker -c "$conf" -a 127.0.0.1 -s "$stats" -i 1000 \
    -o "$tmp/nutcracker.log" -p "$tmp/nutcracker.pid" &
pids+=($!)
wait_ping "$proxy" "nutcracker"
echo "servers on 127.0.0.1:${ports[0]}, ${ports[1]}, ${ports[2]} (PIDs ${pids[0]} ${pids[1]} ${pids[2]}); nutcracker on 127.0.0.1:$proxy (PID ${pids[3]})"

echo
echo "==== 1. redis-benchmark -t set,get,incr,lpush,lpop -n $requests -c 20 -r 100000"
# It asks CONFIG GET save/appendonly first, which the proxy does not pass
# on: it warns and goes on. The list tests all use one key, mylist, so one
# server does that work.
for target in "through twemproxy:$proxy" "one server directly:${ports[0]}"; do
    echo "-- ${target%%:*}"
    timeout 120 redis-benchmark -h 127.0.0.1 -p "${target##*:}" -t set,get,incr,lpush,lpop \
        -n "$requests" -c 20 -r 100000 -q 2> "$tmp/bench.err" | tr '\r' '\n' |
        grep 'requests per second' | sed 's/^/   /'
    status=${PIPESTATUS[0]}
    grep -q "Could not fetch server CONFIG" "$tmp/bench.err" &&
        echo "   (redis-benchmark warned: could not fetch server CONFIG; the proxy does not pass CONFIG on)"
    grep -v "Could not fetch server CONFIG" "$tmp/bench.err" | tr '\r' '\n' | grep -v '^ *$'
    [ "$status" -eq 0 ] || die "redis-benchmark failed (exit status $status)"
done

echo
echo "==== 2. Commands twemproxy does not proxy: it closes the client's connection"
for command in "DBSIZE" "KEYS *" "SELECT 1" "INFO" "HELLO 3" "CLIENT SETNAME demo"; do
    # shellcheck disable=SC2086
    printf '   %-20s -> %s\n' "$command" "$(cli -p "$proxy" $command 2>&1 | head -n 1)"
done

echo
echo "==== 3. Emptying the servers (FLUSHALL on each, directly), then 1000 keys through the proxy with redis-py"
for port in "${ports[@]}"; do
    [ "$(cli -p "$port" flushall)" = "OK" ] || die "FLUSHALL on port $port failed"
done
/usr/bin/python3 "$here/write-keys.py" "$proxy" || die "writing keys through the proxy failed"

echo
echo "==== 4. Where the keys went"
sleep 1.2                          # the proxy's stats are taken every second
stats_json=$(timeout 5 /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode())' "$stats" 2> /dev/null)
total=0
for i in 0 1 2; do
    port=${ports[$i]}
    name=server$((i + 1))
    keys=$(cli -p "$port" dbsize)
    keyspace=$(cli -p "$port" info keyspace | tr -d '\r' | grep '^db0:')
    proxied=$(printf '%s' "$stats_json" | /usr/bin/python3 -c '
import json, sys
try:
    print(json.load(sys.stdin)["workshop"][sys.argv[1]]["requests"])
except Exception:
    print("?")' "$name")
    printf '   %s 127.0.0.1:%s  DBSIZE %4s  INFO keyspace: %-36s requests from the proxy: %s\n' \
        "$name" "$port" "$keys" "${keyspace:-(none)}" "$proxied"
    [[ "$keys" =~ ^[0-9]+$ ]] || die "DBSIZE on port $port: $keys"
    [ "$keys" -gt 0 ] || die "$name holds no key: the ring is not spreading keys"
    total=$((total + keys))
done
echo "   total: $total keys"
[ "$total" -eq 1000 ] || die "the servers hold $total keys in all, not 1000"

echo
echo "cluster-demo: ok (stopping the servers and the proxy)"
