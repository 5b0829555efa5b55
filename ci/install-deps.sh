#!/bin/sh
# Install what the workshop needs to build and test, from Debian's apt only.
# Idempotent and quiet: it asks dpkg first and touches apt only for what is
# missing, running `apt-get update` once before the first install because a
# bare machine has no package lists.
set -eu

PACKAGES="build-essential clang libclang-rt-14-dev libcriterion-dev pkg-config \
python3-pytest python3-redis redis-server redis-tools strace valgrind nutcracker"

# make clients: node and npm. A node that brings its own npm (NodeSource's
# nodejs package does, and conflicts with Debian's npm) is kept as it is.
if ! command -v npm > /dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
