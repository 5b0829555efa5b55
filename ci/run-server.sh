#!/bin/sh
# `make run`: start a stage's server in the foreground on 127.0.0.1:PORT.
# A port already taken (a system redis-server often holds 6379) is said in
# one line, with how to pick another, before the server is even started.
set -eu
binary=$1
port=$2
datadir=${3:-}         # stage 5 on: where the append-only file goes
if /usr/bin/python3 - "$port" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)      # taken
sys.exit(1)          # free
PY
then
    echo "Port $port on 127.0.0.1 is already in use (a system redis-server?): run 'make run PORT=7000' to pick another." >&2
    exit 1
fi
echo "Starting $binary on 127.0.0.1:$port (Ctrl-C stops it; try: redis-cli -p $port ping)"
if [ -n "$datadir" ]; then
    mkdir -p "$datadir"
    echo "Its files (the append-only file) go to $datadir"
    exec "$binary" --port "$port" --dir "$datadir"
fi
exec "$binary" --port "$port"
