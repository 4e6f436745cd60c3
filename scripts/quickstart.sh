#!/usr/bin/env bash
# One command for a newcomer (as root, on Debian): install, build, then run
# examples/quickstart.yaml inside a throw-away sandbox "host" namespace, so the
# demo never changes this machine's own network. It applies the topology,
# pings between the two containers, shows that a second plan is empty, prints
# `ctnet show`, and destroys everything again.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "quickstart: run as root (sudo $0)" >&2; exit 1; }
bash scripts/install-deps.sh

SBX=ctnet-demo-$$
ctnet() { nsenter --net="/run/netns/$SBX" node dist/bundle/main.js "$@"; }
cleanup() {
  ctnet destroy >/dev/null 2>&1 || true
  ip netns del "$SBX" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$SBX"
ip -n "$SBX" link set lo up

step() { printf '\n\033[1m$ ctnet %s\033[0m\n' "$*"; }
step validate -f examples/quickstart.yaml; ctnet validate -f examples/quickstart.yaml
step plan -f examples/quickstart.yaml;     ctnet plan -f examples/quickstart.yaml
step apply -f examples/quickstart.yaml;    ctnet apply -f examples/quickstart.yaml
printf '\n\033[1m$ ip netns exec qs-web1 ping -c2 10.77.0.2\033[0m\n'
ip netns exec qs-web1 ping -c2 -W1 10.77.0.2
step plan -f examples/quickstart.yaml --detailed-exitcode; ctnet plan -f examples/quickstart.yaml --detailed-exitcode
step show;    ctnet show
step destroy; ctnet destroy
echo; echo "quickstart: done (the sandbox namespace $SBX is removed on exit)"
