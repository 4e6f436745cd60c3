#!/usr/bin/env bash
# Installs dist/ctnet-<version>.tgz (scripts/build-npm.sh) the way a user without a toolchain would: `npm install
# -g` into a throw-away prefix, offline, with a PATH that holds only node and npm (no python, make or g++: a build
# step would fail), and fails if npm printed any warning. Then runs the installed ctnet: validate the quickstart and
# an invalid file (a located error), and apply and destroy the quickstart inside a sandbox network namespace (the
# native addons load from the package). Root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TGZ=${1:-$ROOT/dist/ctnet-$(node -p 'require("./package.json").version').tgz}
T=$(mktemp -d /tmp/ctnet-npm-verify.XXXXXX)
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this directory, not the machine's (env -i below passes it again)
export CTNET_CACHE_DIR=$T/cache
NS=ctnpmv$$
# Everything the check made, even when the package under test is broken: the quickstart's namespaces carry the
# sandbox's name as a prefix, so nothing of the machine's (a quickstart of its own) is touched.
cleanup() {
  set +e
  ip netns list | awk -v p="$NS" 'index($1, p) == 1 { print $1 }' | xargs -r -n1 ip netns del
  rm -rf "$T" /run/ctnet/netns/"$NS"* "/run/ctnet/applied/default@ns-$NS" /run/ctnet/files/*"$NS"* /etc/netns/"$NS"*
}
trap cleanup EXIT
mkdir -p "$T/bin" "$T/home"
ln -s "$(command -v node)" "$T/bin/node"
ln -s "$(readlink -f "$(command -v npm)")" "$T/bin/npm"
start=$(date +%s%N)
out=$(cd "$T" && env -i PATH="$T/bin" HOME="$T/home" npm install -g --prefix "$T/prefix" --offline --no-audit --no-fund "$TGZ" 2>&1)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out"
if grep -qi 'warn' <<<"$out"; then echo "npm warned (above)" >&2; exit 1; fi
echo "installed in ${ms} ms, $(du -sh "$T/prefix/lib/node_modules/ctnet" | cut -f1) on disk"
CTNET=$T/prefix/bin/ctnet
sed "s/netns: \([a-z0-9-]*\)/netns: ${NS}\1/" examples/quickstart.yaml >"$T/t.yaml"
env -i PATH="$T/bin" CTNET_CACHE_DIR="$T/cache" "$CTNET" validate -f "$T/t.yaml"
# A located error needs the YAML parser with positions, a file of its own in the bundle: it must be in the package.
printf 'version: 1\nnetworks:\n  web: { subnet: 10.10.0.0/16, gateway: 10.20.0.1 }\n' >"$T/bad.yaml"
if env -i PATH="$T/bin" CTNET_CACHE_DIR="$T/cache" "$CTNET" validate -f "$T/bad.yaml" 2>"$T/bad.err"; then echo "FAIL: an invalid file validated" >&2; exit 1; fi
grep -q 'bad.yaml:3:[0-9]*: networks.web.gateway: 10.20.0.1 is not inside subnet' "$T/bad.err" || { echo "FAIL: no located error:" >&2; cat "$T/bad.err" >&2; exit 1; }
ip netns add "$NS"
nsenter --net="/run/netns/$NS" env -i PATH="$T/bin:/usr/sbin:/usr/bin:/sbin:/bin" CTNET_CACHE_DIR="$T/cache" "$CTNET" apply -q -f "$T/t.yaml"
nsenter --net="/run/netns/$NS" env -i PATH="$T/bin:/usr/sbin:/usr/bin:/sbin:/bin" CTNET_CACHE_DIR="$T/cache" "$CTNET" destroy
echo "ok: the npm package installs without a toolchain or warnings, and its ctnet applies and destroys"
