#!/bin/bash
# tests/clients/run.sh SERVER_BINARY [CLIENT ...]
#
# Runs each client's script against a fresh server: SERVER_BINARY (e.g.
# build/stage6, or redis-server) started on a free loopback port with its
# own temporary directory, the append-only file off, and stopped by PID
# after that client (SIGTERM, then SIGKILL after 5 s), also on failure or
# Ctrl-C. A client fails when its script exits non-zero or the server is
# no longer running after it; the server's log tail is then shown. Ends
# with one summary line, "clients: N passed, N failed"; exit status 1 if
# any failed.
#
# CLIENTs (default: all): ioredis (6, RESP3 by HELLO 3), ioredis-resp2,
# ioredis5, node-redis (5, no HELLO), node-redis-resp2 (HELLO 2),
# node-redis-resp3 (HELLO 3), redis-py, redis-cli, redis-benchmark.
# The node packages come from $BUILD/clients/node_modules, BUILD being
# make's (`make clients BUILD=build/x` installs them there and passes BUILD
# on; default build), or from CLIENTS_NODE_MODULES=DIR.
# SERVER_ARGS="..." adds options to the server's command line.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ALL="ioredis ioredis-resp2 ioredis5 node-redis node-redis-resp2 node-redis-resp3 redis-py redis-cli redis-benchmark"

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 2
fi
server=$1
shift
clients=${*:-$ALL}
build_dir=${BUILD:-build}
case $build_dir in /*) ;; *) build_dir=$repo/$build_dir ;; esac
node_modules=${CLIENTS_NODE_MODULES:-$build_dir/clients/node_modules}

case $server in
    */*) [ -x "$server" ] || { echo "run.sh: $server: no such executable" >&2; exit 2; } ;;
    *) command -v "$server" > /dev/null || { echo "run.sh: $server: not found" >&2; exit 2; } ;;
esac
server_args=(--bind 127.0.0.1 --appendonly no)
# redis-server would also write dump.rdb on shutdown; ours has no RDB.
[ "$(basename "$server")" = "redis-server" ] && server_args+=(--save '')
# shellcheck disable=SC2206
server_args+=(${SERVER_ARGS:-})

pid=""
dir=""
port=""
stop_server() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2> /dev/null
    for _ in $(seq 50); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    pid=""
}
cleanup() {
    stop_server
    [ -n "$dir" ] && rm -rf "$dir"
    dir=""
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted"; exit 130' INT TERM

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the server on a free port; sets pid, port and dir.
start_server() {
    dir=$(mktemp -d "${TMPDIR:-/tmp}/clients.XXXXXX")
    port=$(free_port)
    "$server" --port "$port" --dir "$dir" "${server_args[@]}" > "$dir/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2> /dev/null)" = "PONG" ]; then
            return 0
        fi
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "  the server did not answer PING on port $port within 10 s"
    return 1
}

show_log() {
    echo "  last lines of the server's log:"
    tail -n 15 "$dir/server.log" | sed 's/^/    | /'
}

# The command line of each client's script.
client_command() {
    case $1 in
        ioredis) echo node "$here/ioredis.js" "$port" ioredis ;;
        ioredis-resp2) echo node "$here/ioredis.js" "$port" ioredis 2 ;;
        ioredis5) echo node "$here/ioredis.js" "$port" ioredis5 ;;
        node-redis) echo node "$here/node-redis.js" "$port" ;;
        node-redis-resp2) echo node "$here/node-redis.js" "$port" 2 ;;
        node-redis-resp3) echo node "$here/node-redis.js" "$port" 3 ;;
        redis-py) echo /usr/bin/python3 "$here/redis_py.py" "$port" ;;
        redis-cli) echo "$here/cli.sh" "$port" ;;
        redis-benchmark) echo "$here/benchmark.sh" "$port" ;;
        *) return 1 ;;
    esac
}

passed=0
failed=0
failed_names=""
fail() {
    failed=$((failed + 1))
    failed_names="$failed_names $1"
}

echo "Client tests against $server"
for client in $clients; do
    if ! client_command "$client" > /dev/null; then
        echo "FAIL $client: no such client (known: $ALL)"
        fail "$client"
        continue
    fi
    case $client in
        ioredis* | node-redis*)
            if ! command -v node > /dev/null || [ ! -d "$node_modules/ioredis" ]; then
                echo "FAIL $client: no node or no $node_modules: run 'make clients' (it installs them)"
                fail "$client"
                continue
            fi ;;
    esac
    echo "---- $client"
    start=$(date +%s%N)
    if ! start_server; then
        show_log
        fail "$client"
        cleanup
        continue
    fi
    # shellcheck disable=SC2046
    NODE_PATH=$node_modules timeout 120 $(client_command "$client")
    status=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    verdict=ok
    if ! kill -0 "$pid" 2> /dev/null; then
        wait "$pid" 2> /dev/null
        echo "FAIL $client: the server is no longer running (exit status $?)"
        pid=""
        verdict=FAILED
    elif [ "$status" -ne 0 ]; then
        [ "$status" -eq 124 ] && echo "FAIL $client: still running after 120 s"
        verdict=FAILED
    fi
    if [ $verdict = ok ]; then
        passed=$((passed + 1))
    else
        show_log
        fail "$client"
    fi
    echo "---- $client: $verdict ($((ms / 1000)).$((ms % 1000 / 100)) s)"
    cleanup
done

echo
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
