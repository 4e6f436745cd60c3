#!/usr/bin/env bash
# Issue 6 benchmark: one host with N peer subnets (default 500): cold apply, converged
# plan, destroy, as whole CLI runs (wall and CPU, GNU time) inside a sandbox host that
# has an uplink on 192.168.100.0/24 (a veth inside the sandbox, foreign to ctnet).
#   sudo bench/routes-bench.sh [N] [REPS]
# Prints a markdown table; everything it makes is removed by a trap.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500} REPS=${2:-3}
MAIN=$PWD/dist/bundle/main.js
SBX=ctrb$$
W=$(mktemp -d)
cleanup() { nsenter --net=/run/netns/$SBX node "$MAIN" destroy >/dev/null 2>&1 || true; ip netns del $SBX 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
export CTNET_CACHE_DIR=${CTNET_CACHE_DIR-$W/cache}
ip netns add $SBX
ip -n $SBX link set lo up
ip -n $SBX link add uplink type veth peer name uplink-p
ip -n $SBX addr add 192.168.100.200/24 dev uplink
ip -n $SBX link set uplink up; ip -n $SBX link set uplink-p up
{
  echo "version: 1"
  echo "networks:"
  echo "  local: { subnet: 172.17.0.0/16 }"
  echo "peers:"
  for ((i = 0; i < N; i++)); do
    echo "  p$i: { via: 192.168.100.$((201 + i % 50)), subnets: [10.$((100 + i / 250)).$((i % 250)).0/24] }"
  done
} >"$W/t.yaml"
run() { # phase -> "wall_ms cpu_ms"
  /usr/bin/time -f '%e %U %S' -o "$W/time" nsenter --net=/run/netns/$SBX node "$MAIN" "$@" >"$W/out" 2>&1 || { cat "$W/out" >&2; exit 1; }
  awk '{printf "%.0f %.0f\n", $1*1000, ($2+$3)*1000}' "$W/time"
}
echo "| N peers | phase | wall ms | CPU ms | routes in kernel |"
echo "|---|---|---|---|---|"
for ((r = 1; r <= REPS; r++)); do
  read -r aw ac < <(run apply -q -f "$W/t.yaml")
  routes=$(ip -n $SBX route show proto 199 | wc -l)
  read -r pw pc < <(run plan -f "$W/t.yaml" --detailed-exitcode)
  read -r dw dc < <(run destroy)
  echo "| $N | apply | $aw | $ac | $routes |"
  echo "| $N | plan (converged) | $pw | $pc | |"
  echo "| $N | destroy | $dw | $dc | |"
done
# In-process cost of the pure part (parse + validate + compile + plan), without Node start-up.
node --input-type=module -e "
import { loadTopology, compile } from '$PWD/dist/src/spec/index.js';
import { plan } from '$PWD/dist/src/plan/index.js';
import { emptyObserved } from '$PWD/dist/src/model/state.js';
const t0 = performance.now();
const { topology } = await loadTopology(['$W/t.yaml']);
const t1 = performance.now();
const d = compile(topology, undefined, {});
const p = plan(d, emptyObserved());
const t2 = performance.now();
console.log('in-process: load+validate ' + (t1 - t0).toFixed(0) + ' ms, compile+plan ' + (t2 - t1).toFixed(0) + ' ms, ' + p.steps.length + ' steps');
"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
