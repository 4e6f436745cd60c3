#!/usr/bin/env bash
# Installs what ctnet needs on a Debian machine (run as root): the kernel tools
# the tests and benchmarks use, a C/C++ toolchain for the two native addons,
# then the npm dependencies and the build. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# The tests also drive real traffic and daemons: socat (TCP/UDP), curl (metrics), procps (sysctl);
# graphviz renders every `ctnet graph` in the golden tests; chromium is the browser of the status-page test
# (driven by the npm package playwright-core, which downloads nothing); docker.io and busybox-static give the
# `docker:` tests a real engine (started by the tests inside a sandbox namespace) and an image without a registry.
pkgs=(iproute2 nftables iputils-ping netcat-openbsd conntrack socat curl procps util-linux python3 make g++ ca-certificates graphviz chromium docker.io busybox-static iptables)
command -v node >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  # Installing docker.io must not start an engine in the machine's own namespace (its bridge and iptables
  # rules there): services are refused for the install, as in a chroot, unless the machine already says so.
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; own_policy=1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("ctnet needs Node >= 20.19 (found "+process.versions.node+"): install Debian 13 nodejs or NodeSource 20"); process.exit(1) }'
npm ci --no-audit --no-fund
npm run build
