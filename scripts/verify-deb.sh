#!/usr/bin/env bash
# Checks a built .deb without installing it on this machine: unpacks it into a temporary directory and, with
# the Node runtime and native addons it carries only (strace shows no file of the source tree opened), runs
# --version, validate (and a located error for an invalid file), and apply / plan / destroy of examples/quickstart.yaml
# in a sandbox network namespace.
#   bash scripts/build-deb.sh && sudo bash scripts/verify-deb.sh [dist/ctnet_<version>_amd64.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:-$(ls -t dist/ctnet_*_amd64.deb | head -1)}
X=$(mktemp -d /tmp/ctnet-debx.XXXXXX)
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this directory, not the machine's (env -i below passes it again)
export CTNET_CACHE_DIR=$X/cache
P=cdv$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
# Everything, even when the package under test is broken (its destroy failing must not stop the rest: under
# set -e a failed command in the trap would end it there).
cleanup() {
  set +e
  [ -e "/run/netns/${P}h" ] && nsenter --net="/run/netns/${P}h" "$X/usr/lib/ctnet/node" "$X/usr/lib/ctnet/dist/bundle/main.js" destroy >/dev/null 2>&1
  ip netns list | awk -v p="$P" 'index($1, p) == 1 { print $1 }' | xargs -r -n1 ip netns del
  rm -rf "$X" /etc/netns/"$P"* /run/ctnet/netns/"$P"* /run/ctnet/applied/*@ns-"$P"h /run/ctnet/files/*"$P"*
}
trap cleanup EXIT
dpkg-deb -x "$DEB" "$X"
run() { (cd / && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CTNET_CACHE_DIR="$X/cache" nsenter --net="/run/netns/${P}h" "$X/usr/lib/ctnet/node" "$X/usr/lib/ctnet/dist/bundle/main.js" "$@"); }
echo "node: $("$X/usr/lib/ctnet/node" --version), ctnet: $("$X/usr/lib/ctnet/node" "$X/usr/lib/ctnet/dist/bundle/main.js" --version)"
ip netns add "${P}h"
sed "s/netns: \([a-z0-9-]*\)/netns: ${P}\1/" examples/quickstart.yaml >"$X/t.yaml"
run validate -f "$X/t.yaml"
# A located error needs the YAML parser with positions, a file of its own in the bundle: it must be in the package.
printf 'version: 1\nnetworks:\n  web: { subnet: 10.10.0.0/16, gateway: 10.20.0.1 }\n' >"$X/bad.yaml"
if run validate -f "$X/bad.yaml" 2>"$X/bad.err"; then echo "FAIL: an invalid file validated" >&2; exit 1; fi
grep -q 'bad.yaml:3:[0-9]*: networks.web.gateway: 10.20.0.1 is not inside subnet' "$X/bad.err" || { echo "FAIL: no located error:" >&2; cat "$X/bad.err" >&2; exit 1; }
run apply -f "$X/t.yaml" | tail -1
strace -f -e trace=openat -o "$X/trace" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CTNET_CACHE_DIR="$X/cache" nsenter --net="/run/netns/${P}h" "$X/usr/lib/ctnet/node" "$X/usr/lib/ctnet/dist/bundle/main.js" plan -f "$X/t.yaml" --detailed-exitcode | tail -1
if grep -v ENOENT "$X/trace" | grep -q "$PWD/"; then echo "FAIL: the package opened files of the source tree" >&2; grep -v ENOENT "$X/trace" | grep "$PWD/" | head >&2; exit 1; fi
run destroy | tail -1
echo "ok: $DEB works on its own ($(dpkg-deb -f "$DEB" Installed-Size) KB installed)"
