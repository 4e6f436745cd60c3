#!/usr/bin/env bash
# Builds dist/ctnet-<version>.tgz: an npm package that `npm install -g` installs with no compiler, no
# network and no install scripts (issue 15 item 1, the npm half; scripts/build-deb.sh is the .deb half).
# Run after `npm ci && npm run build` on the build machine, which has the toolchain the native addons need.
#
# What is in it: the bundle (every JavaScript dependency and the validator compiled at build time are inside
# it), the schema, and the two Node-API addons prebuilt for linux-x64 (ctnet's setns addon and the `netlink`
# binding rebuilt from the patched source), the binding in a bundled `netlink` dependency whose package.json
# keeps no scripts (the bundle finds the binding through it). The published package.json has no dependencies and no scripts, so npm has
# nothing to fetch, build or run. Node-API: the addons built with this machine's Node load in Node 20-24.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(node -p 'require("./package.json").version')
OUT_DIR=${OUT_DIR:-$ROOT/dist}
[ -f dist/bundle/main.js ] && [ -f build/Release/ctnet_setns.node ] || { echo "run 'npm ci && npm run build' first" >&2; exit 2; }
STAGE=$(mktemp -d /tmp/ctnet-npm.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
PKG=$STAGE/package
mkdir -p "$PKG/dist" "$PKG/build/Release" "$PKG/node_modules/netlink/build/Release"
cp -r schema README.md "$PKG/"
[ -f LICENSE ] && cp LICENSE "$PKG/"
cp -r dist/bundle "$PKG/dist/"
rm -f "$PKG"/dist/bundle/*.map
cp build/Release/ctnet_setns.node "$PKG/build/Release/"
cp node_modules/netlink/build/Release/netlink_binding.node "$PKG/node_modules/netlink/build/Release/"
# netlink's own package.json would have npm run `node-gyp-build` at install: keep only what finding the binding
# needs (the bundle requires build/Release/netlink_binding.node beside it directly; node-gyp-build is not shipped).
node -e '
  const fs = require("fs");
  const src = JSON.parse(fs.readFileSync("node_modules/netlink/package.json", "utf8"));
  const { name, version, main, types, license } = src;
  fs.writeFileSync(process.argv[1], JSON.stringify({ name, version, main, types, license }, null, 2) + "\n");
  const own = JSON.parse(fs.readFileSync("package.json", "utf8"));
  const pub = {
    name: own.name, version: own.version, description: own.description, license: own.license, type: own.type,
    bin: own.bin, engines: own.engines, os: own.os, cpu: ["x64"],
    files: ["dist", "schema", "build", "README.md"],
    dependencies: { netlink: src.version },
    bundleDependencies: ["netlink"],
  };
  fs.writeFileSync(process.argv[2], JSON.stringify(pub, null, 2) + "\n");
' "$PKG/node_modules/netlink/package.json" "$PKG/package.json"
mkdir -p "$OUT_DIR"
(cd "$PKG" && npm pack --silent --pack-destination "$OUT_DIR" >/dev/null)
OUT=$OUT_DIR/ctnet-$VERSION.tgz
echo "$OUT ($(du -h "$OUT" | cut -f1), $(tar tzf "$OUT" | wc -l) files)"
