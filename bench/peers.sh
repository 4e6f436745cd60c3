#!/usr/bin/env bash
# bench/peers.sh N [N...] -- the issue-2 peer benchmark: ctnet against an
# `ip -batch` script, the CNI bridge plugin and netavark, through the shared
# harness ../shared/peer-bench (read-only: copied to a temp dir, our tool file
# bench/peer-tools/ctnet.sh added as tools/ctnet.sh).
#
#   npm run build && sudo bench/peers.sh 10 100          # REPS=3 (default)
#   REPS=1 sudo bench/peers.sh 1000
#   TOOLS="ctnet ip-batch" REPS=5 sudo bench/peers.sh 100
#
# Knobs: everything peers.sh takes (REPS, TOOLS, SETTLE, OUTDIR, KEEP...),
# PEER_BENCH (harness dir, default /work/shared/peer-bench), and HOSTNS/CPFX
# (sandbox names, default bh-host/bc-: other names run beside a default run).
# The built CLI is snapshotted first (dist, build/Release, schema, package.json;
# node_modules linked) so a rebuild by someone else in the middle of a long
# run cannot swap the code under the benchmark.
# Results: one markdown table per N on stdout; raw TSV in $OUTDIR
# (default /tmp/peer-bench-results). Every namespace lives in the harness'
# sandbox (bh-host, bc-1..N); the root namespace is never touched.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_BENCH=${PEER_BENCH:-/work/shared/peer-bench}
export TOOLS=${TOOLS:-ctnet ip-batch ip-batch-grp cni netavark}
[ $# -ge 1 ] || { echo "usage: bench/peers.sh N [N...]" >&2; exit 2; }
[ -f "$REPO/dist/bundle/main.js" ] || { echo "run 'npm run build' first" >&2; exit 2; }
[ -f "$PEER_BENCH/peers.sh" ] || { echo "no harness at $PEER_BENCH" >&2; exit 2; }

TMP=$(mktemp -d /tmp/ctnet-peers.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
export CTNET_CACHE_DIR=${CTNET_CACHE_DIR-$TMP/cache}
cp -r "$PEER_BENCH" "$TMP/harness"
chmod -R u+w "$TMP/harness"
cp "$REPO/bench/peer-tools/ctnet.sh" "$TMP/harness/tools/ctnet.sh"
# HOSTNS=x CPFX=y (names of the harness' sandbox) let a second run go in
# parallel with one that holds the default names: it then takes its own lock
if [ -n "${HOSTNS:-}" ] && [ "$HOSTNS" != bh-host ]; then
  sed -i "s|/tmp/bench-peers.lock|/tmp/bench-peers-$HOSTNS.lock|" "$TMP/harness/peers.sh"
fi
# the pooled report lists tools in a fixed order that predates ctnet
sed -i 's/^TOOLS_ORDER="/TOOLS_ORDER="ctnet /' "$TMP/harness/report.sh"
export OUTDIR=${OUTDIR:-/tmp/peer-bench-results}
mkdir -p "$OUTDIR"
touch "$TMP/stamp"

mkdir -p "$TMP/ctnet/build"
cp -r "$REPO/dist" "$REPO/schema" "$REPO/package.json" "$TMP/ctnet/"
cp -r "$REPO/build/Release" "$TMP/ctnet/build/"
ln -s "$REPO/node_modules" "$TMP/ctnet/node_modules"
export CTNET_MAIN=$TMP/ctnet/dist/bundle/main.js
# The Node that runs ctnet, by its absolute path: the harness runs each phase from its own directory, where a
# relative directory in PATH (node_modules/.cache/ctnet-node/22/...) no longer finds the Node it found here
# (figures before 2026-12-05 taken that way were the system's Node 20, whatever this line said)
CTNET_NODE=$(command -v node) || { echo "no node in PATH" >&2; exit 2; }
export CTNET_NODE=$(readlink -f "$CTNET_NODE")

echo "ctnet $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src || echo '+dirty src'); node $("$CTNET_NODE" -v) ($CTNET_NODE)" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for n in "$@"; do
  bash "$TMP/harness/peers.sh" "$n"
  echo "load average after N=$n: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
# one pooled table over the runs of this invocation
mapfile -t tsvs < <(find "$OUTDIR" -maxdepth 1 -name '*.tsv' -newer "$TMP/stamp" | sort)
[ ${#tsvs[@]} -gt 0 ] && bash "$TMP/harness/report.sh" "${tsvs[@]}"
