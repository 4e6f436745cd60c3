#!/usr/bin/env bash
# bench/ab-plan.sh A_MAIN B_MAIN -- the converged `plan` (or PHASE) of N containers by two builds, interleaved in one sandbox
# (A, B, A, B, ...: on this shared machine only interleaved runs compare; a drift of 10-30 % within the hour is
# common). Root. Its own "host" namespace and N container namespaces (prefix ab<hex>), removed by the EXIT trap;
# the root namespace is never touched. A applies the topology once (untimed), each build runs once untimed (its
# code cache made, in a directory of its own), then each run is a whole
# `nsenter --net … node MAIN plan --detailed-exitcode` process, wall time.
#   N=1000 R=12 bench/ab-plan.sh dist/bundle-before/main.js dist/bundle/main.js
#   PHASE=apply N=10 R=15 ...: a cold `apply -q` each run instead (each build's run followed by an untimed
#   `destroy` of A's), so both start from the same empty host; PHASE=version: `--version`, the start alone
#   PHASE=destroy: `destroy` each run, of what an untimed `apply` by A made just before
#   PHASE=reapply: a converged `apply -q` each run (the peer harness' "check"), of what A applied once
#   PORTS=1: every container also publishes host port 20000+i -> 80/tcp (the peer harness' workload)
#   (a build to compare with: `cp -r dist/bundle dist/bundle-before` before rebuilding, so that its relative
#   paths to node_modules still hold; remove it afterwards)
set -uo pipefail
A=${1:?A_MAIN} B=${2:?B_MAIN} N=${N:-1000} R=${R:-12} PHASE=${PHASE:-plan}
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 2; }
P=ab$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n'); H=${P}h; W=$(mktemp -d /tmp/ctnet-ab.XXXXXX)
cleanup() {
  ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 { print "netns del " $1 }' | ip -force -batch - 2>/dev/null
  rm -f /run/ctnet/applied/*@ns-"$H"; rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's: one per
# build (a build removes the other builds' files from its cache directory, so in a shared one every run of A
# and B would start without its code: the first figures of this script, before 2026-12-04, were all such runs)
cache_of() { [ "$1" = "$A" ] && echo "$W/cache-a" || echo "$W/cache-b"; }
[ -n "${CTNET_CACHE_DIR+set}" ] && { echo "CTNET_CACHE_DIR is set: each build gets its own cache here" >&2; exit 2; }
{ echo "netns add $H"; for ((i = 1; i <= N; i++)); do echo "netns add ${P}c$i"; done; } | ip -batch - || exit 1
ip -n "$H" link set lo up
{
  echo "version: 1"; echo "networks:"
  echo "  bench: { bridge_name: ${P}br, subnet: 10.88.0.0/16, gateway: 10.88.0.1 }"
  echo "containers:"
  for ((i = 1; i <= N; i++)); do
    echo "  c$i: { netns: ${P}c$i, networks: { bench: { ipv4_address: 10.88.$(((i - 1) / 250)).$(((i - 1) % 250 + 2)) } }${PORTS:+, ports: [\"$((20000 + i)):80\"]} }"
  done
} >"$W/t.yaml"
# The untimed apply that the converged runs start from keeps its compiled code apart: in A's directory it would be
# A's `apply` code for PHASE=reapply (made by a cold apply) while B's came from its first converged run.
[ "$PHASE" = plan ] || [ "$PHASE" = reapply ] && { CTNET_CACHE_DIR=$W/cache-setup nsenter --net="/run/netns/$H" node "$A" apply -q -f "$W/t.yaml" >/dev/null || { echo "apply failed" >&2; exit 1; }; }
case $PHASE in
  plan) args=(plan --detailed-exitcode -f "$W/t.yaml") ;;
  apply | reapply) args=(apply -q -f "$W/t.yaml") ;;
  version) args=(--version) ;;
  destroy) args=(destroy) ;;
  *) echo "PHASE: plan, apply, reapply, destroy or version" >&2; exit 2 ;;
esac
run() { # MAIN -> wall time in tenths of a ms; a run that fails (or a plan that is not empty: exit 2) is reported
  local t0 t1 rc
  [ "$PHASE" = destroy ] && { CTNET_CACHE_DIR=$(cache_of "$A") nsenter --net="/run/netns/$H" node "$A" apply -q -f "$W/t.yaml" >/dev/null || echo "apply failed" >&2; }
  t0=$(date +%s%N)
  CTNET_CACHE_DIR=$(cache_of "$1") nsenter --net="/run/netns/$H" node "$1" "${args[@]}" >"$W/out" 2>&1; rc=$?
  t1=$(date +%s%N)
  [ "$rc" -eq 0 ] || { echo "$1: $PHASE rc $rc" >&2; head -n3 "$W/out" >&2; }
  [ "$PHASE" = apply ] && { CTNET_CACHE_DIR=$(cache_of "$A") nsenter --net="/run/netns/$H" node "$A" destroy >/dev/null 2>&1 || echo "destroy failed" >&2; }
  echo $(((t1 - t0) / 100000))
}
a=() b=()
run "$A" >/dev/null; run "$B" >/dev/null # each build's first run makes its code cache: untimed
for ((r = 0; r < R; r++)); do a+=("$(run "$A")"); b+=("$(run "$B")"); done
ms() { printf '%s\n' "$@" | awk '{ printf "%.1f ", $1 / 10 }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 10 }'; }
echo "# node $(node -v); $PHASE, N=$N${PORTS:+ with ports}; $R runs each, interleaved; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A $A: $(ms "${a[@]}")"
echo "B $B: $(ms "${b[@]}")"
echo "median A $(median "${a[@]}") ms, B $(median "${b[@]}") ms"
