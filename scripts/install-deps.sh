#!/usr/bin/env bash
# Installs what ctnet needs on a Debian machine (run as root): the kernel tools
# the tests and benchmarks use, a C/C++ toolchain for the two native addons,
# then the npm dependencies and the build. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# The tests also drive real traffic and daemons: socat (TCP/UDP), curl (metrics), procps (sysctl);
# graphviz renders every `ctnet graph` in the golden tests; chromium is the browser of the status-page test
# (driven by the npm package playwright-core, which downloads nothing).
pkgs=(iproute2 nftables iputils-ping netcat-openbsd conntrack socat curl procps util-linux python3 make g++ ca-certificates graphviz chromium)
command -v node >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("ctnet needs Node >= 20.19 (found "+process.versions.node+"): install Debian 13 nodejs or NodeSource 20"); process.exit(1) }'
npm ci --no-audit --no-fund
npm run build
