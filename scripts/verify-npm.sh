#!/usr/bin/env bash
# Installs dist/ctnet-<version>.tgz (scripts/build-npm.sh) the way a user without a toolchain would: `npm install
# -g` into a throw-away prefix, offline, with a PATH that holds only node and npm (no python, make or g++: a build
# step would fail), and fails if npm printed any warning. Then runs the installed ctnet: validate the quickstart,
# and apply and destroy it inside a sandbox network namespace (the native addons load from the package). Root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TGZ=${1:-$ROOT/dist/ctnet-$(node -p 'require("./package.json").version').tgz}
T=$(mktemp -d /tmp/ctnet-npm-verify.XXXXXX)
NS=ctnpmv$$
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$T" "/run/ctnet/applied/default@ns-$NS"; }
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
env -i PATH="$T/bin" "$CTNET" validate -f examples/quickstart.yaml
ip netns add "$NS"
nsenter --net="/run/netns/$NS" env -i PATH="$T/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$CTNET" apply -q -f examples/quickstart.yaml
nsenter --net="/run/netns/$NS" env -i PATH="$T/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$CTNET" destroy
echo "ok: the npm package installs without a toolchain or warnings, and its ctnet applies and destroys"
