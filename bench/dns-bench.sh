#!/usr/bin/env bash
# bench/dns-bench.sh -- ctnet's embedded DNS server against aardvark-dns (Podman's),
# answering the same local names on the same kind of setup, in the same run
# (issue 4, "Benchmark": throughput >= aardvark's, p99 < 2 ms at 5000 q/s).
#
#   npm run build && sudo bench/dns-bench.sh          # REPS=3 COUNT=50000 CONC=32 RATE=5000
#   CPU_PROF=1 sudo bench/dns-bench.sh                # also a .cpuprofile of ctnet's server
#   CTNET_MAIN=/other/build/dist/bundle/main.js ...   # another build of ctnet
#   MODES=closed DNSPERF=0 ...                        # node modes to run (closed rate); dnsperf on/off
#   PATHS="udp4 udp6 tcp6" ...                         # dnsperf paths (issue 17): transport + family of the gateway
#
# Setup, all inside one sandbox "host" namespace with a unique prefix (dn<hex>),
# removed by the EXIT trap even on failure (both servers stopped by their pids):
# `ctnet apply` builds two bridges: network "c" (10.231.0.0/24, dns: true) whose
# gateway 10.231.0.1 `ctnet dns` serves, and network "a" (10.232.0.0/24) whose
# gateway 10.232.0.1 aardvark-dns serves from a config file written here with the
# same containers and names. Every container is on both networks; the load
# generator (bench/dns-bench.mjs) runs in container "lg", so both servers see a
# client that is one of their containers, over veth + bridge, port 53 UDP.
# Forwarding is never exercised: only local names are asked, a reply without an
# answer counts as bad, ctnet has no upstream (empty resolv.conf) and aardvark's
# network-scoped upstream is 127.0.0.1 of the sandbox (nothing listens); the
# sandbox has no route out anyway.
# Per rep (order alternates between reps): closed loop (CONC outstanding, COUNT
# queries) and fixed rate (RATE q/s, COUNT queries) against each server, with the
# server's CPU time (utime+stime from /proc, warm-up queries included in the count) per query;
# then, when dnsperf is installed, PERF_SECONDS (10) of dnsperf at CONC outstanding on each of PATHS:
# udp4 (A on the IPv4 gateway), udp6 and tcp6 (AAAA on the IPv6 gateway, over UDP and TCP; both networks
# are dual stack, issue 17), tcp4. Output: one JSON line per measurement (OUT=file keeps them) and a median table.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAIN=${CTNET_MAIN:-$REPO/dist/bundle/main.js}
AARDVARK=${AARDVARK:-/usr/lib/podman/aardvark-dns}
[ -f "$MAIN" ] || { echo "run 'npm run build' first" >&2; exit 2; }
[ -x "$AARDVARK" ] || { echo "aardvark-dns not found at $AARDVARK (Debian package aardvark-dns)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 2; }
REPS=${REPS:-3} COUNT=${COUNT:-50000} WARMUP=${WARMUP:-2000} CONC=${CONC:-32} RATE=${RATE:-5000} LIMIT=${LIMIT:-60}
P=dn$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
HOST=${P}h
WORK=$(mktemp -d /tmp/ctnet-dns-bench.XXXXXX)
RAW=${OUT:-$WORK/raw.jsonl}
CTNET_PID='' AARD_PID=''
NAMES=web1,web2,web3,web4,db
in_host() { nsenter --net="/run/netns/$HOST" "$@"; }

cleanup() {
  if [ -n "$CTNET_PID" ] && kill -TERM "$CTNET_PID" 2>/dev/null; then   # and let it write its profile
    for _ in $(seq 50); do kill -0 "$CTNET_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "$AARD_PID" ] && kill -TERM "$AARD_PID" 2>/dev/null
  if [ -e "/run/netns/$HOST" ]; then in_host node "$MAIN" destroy >/dev/null 2>&1; fi
  # then anything else with our unique prefix
  ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 { print "netns del " $1 }' | ip -force -batch - 2>/dev/null
  rm -rf /etc/netns/"$P"* /run/ctnet/netns/"$P"* 2>/dev/null
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
export CTNET_CACHE_DIR=${CTNET_CACHE_DIR-$WORK/cache}
trap 'exit 143' TERM

# ---- sandbox, topology, servers (untimed) -------------------------------------------
ip netns add "$HOST" && ip -n "$HOST" link set lo up || exit 1
{
  echo "version: 1"
  echo "networks:"
  echo "  c: { bridge_name: ${P}c, subnet: 10.231.0.0/24, ipv6_subnet: 'fd00:231::/64', dns: true }"
  echo "  a: { bridge_name: ${P}a, subnet: 10.232.0.0/24, ipv6_subnet: 'fd00:232::/64' }"
  echo "containers:"
  i=10
  for c in lg ${NAMES//,/ }; do
    echo "  $c: { netns: ${P}$c, create: true, networks: { c: { ipv4_address: 10.231.0.$i, ipv6_address: 'fd00:231::$i' }, a: { ipv4_address: 10.232.0.$i, ipv6_address: 'fd00:232::$i' } } }"
    i=$((i + 1))
  done
} >"$WORK/topo.yaml"
in_host node "$MAIN" apply -f "$WORK/topo.yaml" >"$WORK/apply.out" 2>&1 || { echo "apply failed:" >&2; cat "$WORK/apply.out" >&2; exit 1; }

# aardvark's config: one file per network, named after it; first line the listen
# address(es) and (optional) network-scoped upstreams, then per container
# "<id> <ipv4s> <ipv6s> <names>" (containers/aardvark-dns v1.4.0 config.md, src/config/mod.rs).
mkdir -p "$WORK/aard"
{
  echo "10.232.0.1,fd00:232::1 127.0.0.1"
  i=10
  for c in lg ${NAMES//,/ }; do
    printf '%s 10.232.0.%s fd00:232::%s %s\n' "$(echo "$P$c" | sha256sum | cut -c1-64)" "$i" "$i" "$c"
    i=$((i + 1))
  done
} >"$WORK/aard/a"
: >"$WORK/resolv.conf"
prof=()
[ "${CPU_PROF:-0}" = 1 ] && { prof=(--cpu-prof --cpu-prof-dir "${PROF_DIR:=/tmp/ctnet-dns-prof.$P}"); echo "profile: $PROF_DIR" >&2; }
nsenter --net="/run/netns/$HOST" node "${prof[@]}" "$MAIN" dns -f "$WORK/topo.yaml" --resolv-conf "$WORK/resolv.conf" >"$WORK/ctnet-dns.log" 2>&1 &
CTNET_PID=$!   # nsenter execs node: this is the server's pid
# aardvark forks, the parent returns when the child wrote $WORK/aard/aardvark.pid.
in_host "$AARDVARK" --config "$WORK/aard" -p 53 run 2>/dev/null
AARD_PID=$(cat "$WORK/aard/aardvark.pid" 2>/dev/null)
[ -n "$AARD_PID" ] || { echo "aardvark-dns did not start" >&2; exit 1; }

load() { ip netns exec "${P}lg" node "$REPO/bench/dns-bench.mjs" --names "$NAMES" --limit "$LIMIT" --warmup "$WARMUP" "$@"; }
for i in $(seq 50); do grep -q 'on 10.231.0.1:53, \[fd00:231::1\]:53' "$WORK/ctnet-dns.log" && break; sleep 0.1; done
sleep 0.5
check_c=$(load --server 10.231.0.1 --mode check) check_a=$(load --server 10.232.0.1 --mode check)
echo "check ctnet:    $check_c" >&2
echo "check aardvark: $check_a" >&2
# Same names, one A answer each, the address on the server's own network.
for n in ${NAMES//,/ }; do
  for s in c a; do
    v=check_$s; [ "$s" = c ] && net=231 || net=232
    echo "${!v}" | grep -q "\"$n\":{\"rcode\":\"NOERROR\",\"answers\":\[\"A 10\.$net\.0\.[0-9]* ttl=[0-9]*\"\]}" ||
      { echo "server $s does not answer $n as expected" >&2; cat "$WORK/ctnet-dns.log" >&2; exit 1; }
  done
done

# The IPv6 gateways answer AAAA with the address on their own network (what the udp6/tcp6 paths ask).
for s in 231 232; do
  out=$(load --server fd00:$s::1 --type AAAA --mode check)
  for n in ${NAMES//,/ }; do
    echo "$out" | grep -q "\"$n\":{\"rcode\":\"NOERROR\",\"answers\":\[\"AAAA fd00:$s::[0-9a-f]* ttl=[0-9]*\"\]}" ||
      { echo "the server on fd00:$s::1 does not answer AAAA $n as expected: $out" >&2; exit 1; }
  done
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime, in clock ticks
TCK=$(getconf CLK_TCK)
# UDP datagrams the kernel dropped for a full socket receive buffer, in one namespace
# (servers: the sandbox host; client: lg). Explains "lost" under load.
rcvbuf_errors() { ip netns exec "$1" awk '/^Udp:/ { getline; print $6; exit }' /proc/net/snmp; }

# measure REP SERVER-NAME PID ADDR MODE-ARGS... -> one JSON line
measure() {
  local rep=$1 name=$2 pid=$3 addr=$4 c0 c1 out rss s0 s1 l0 l1
  shift 4
  c0=$(cpu_ticks "$pid") s0=$(rcvbuf_errors "$HOST") l0=$(rcvbuf_errors "${P}lg")
  out=$(load --server "$addr" --count "$COUNT" "$@")
  c1=$(cpu_ticks "$pid") s1=$(rcvbuf_errors "$HOST") l1=$(rcvbuf_errors "${P}lg")
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
  echo "{\"rep\":$rep,\"impl\":\"$name\",\"server_cpu_ms\":$(((c1 - c0) * 1000 / TCK)),\"server_rss_kb\":$rss,\"server_rcvbuf_drops\":$((s1 - s0)),\"client_rcvbuf_drops\":$((l1 - l0)),\"load1\":$(cut -d' ' -f1 /proc/loadavg),${out#\{}" | tee -a "$RAW"
}

# dnsperf (Debian package dnsperf, C): a cheaper client than node, so the servers
# rather than the client are the limit; throughput and mean latency only (no percentiles).
DNSPERF=${DNSPERF:-$(command -v dnsperf >/dev/null && echo 1 || echo 0)}
tr ',' '\n' <<<"$NAMES" | sed 's/$/ A/' >"$WORK/queries.txt"
tr ',' '\n' <<<"$NAMES" | sed 's/$/ AAAA/' >"$WORK/queries6.txt"
PATHS=${PATHS:-udp4 udp6 tcp6 tcp4}
# perf REP SERVER-NAME PID ADDR [PATH] -> one JSON line (mode "dnsperf" for udp4, "dnsperf-<path>" otherwise)
perf() {
  local rep=$1 name=$2 pid=$3 addr=$4 path=${5:-udp4} c0 c1 s0 s1 out q=queries.txt label=dnsperf
  [ "${path: -1}" = 6 ] && q=queries6.txt
  [ "$path" = udp4 ] || label=dnsperf-$path
  # TCP: CONC clients with one connection each (dnsperf -c), so as many queries are outstanding as over UDP.
  local conn=(-c 1); [ "${path:0:3}" = tcp ] && conn=(-c "$CONC")
  c0=$(cpu_ticks "$pid") s0=$(rcvbuf_errors "$HOST")
  out=$(ip netns exec "${P}lg" dnsperf -m "${path:0:3}" -s "$addr" -d "$WORK/$q" "${conn[@]}" -T 1 -q "$CONC" -l "${PERF_SECONDS:-10}" -t 1 2>&1)
  c1=$(cpu_ticks "$pid") s1=$(rcvbuf_errors "$HOST")
  echo "$out" | awk -v rep="$rep" -v impl="$name" -v label="$label" -v cpu=$(((c1 - c0) * 1000 / TCK)) -v drops=$((s1 - s0)) -v load1="$(cut -d' ' -f1 /proc/loadavg)" '
    /Queries completed:/ { good = $3 } /Queries lost:/ { lost = $3 } /Queries per second:/ { qps = $4 }
    /Average Latency/ { avg = $4 * 1000 } /Latency StdDev/ { sd = $4 * 1000 } /Response codes:/ { for (i = 1; i < NF; i++) if ($i == "NOERROR") noerror = $(i + 1) }
    END { printf "{\"rep\":%d,\"impl\":\"%s\",\"mode\":\"%s\",\"server_cpu_ms\":%d,\"server_rcvbuf_drops\":%d,\"load1\":%s,\"good\":%d,\"bad\":%d,\"lost\":%d,\"qps\":%d,\"mean_ms\":%.3f,\"sd_ms\":%.3f}\n", rep, impl, label, cpu, drops, load1, good, good - noerror, lost, qps, avg, sd }' | tee -a "$RAW"
}

for ((rep = 1; rep <= REPS; rep++)); do
  order=(ctnet aardvark); [ $((rep % 2)) -eq 0 ] && order=(aardvark ctnet)
  for mode in ${MODES:-closed rate}; do
    for impl in "${order[@]}"; do
      if [ "$impl" = ctnet ]; then pid=$CTNET_PID addr=10.231.0.1; else pid=$AARD_PID addr=10.232.0.1; fi
      if [ "$mode" = closed ]; then measure "$rep" "$impl" "$pid" "$addr" --mode closed --concurrency "$CONC"
      else measure "$rep" "$impl" "$pid" "$addr" --mode rate --rate "$RATE"; fi
    done
  done
  if [ "$DNSPERF" = 1 ]; then
    for path in $PATHS; do
      for impl in "${order[@]}"; do
        net=231 pid=$CTNET_PID; [ "$impl" = aardvark ] && net=232 pid=$AARD_PID
        addr=10.$net.0.1; [ "${path: -1}" = 6 ] && addr=fd00:$net::1
        perf "$rep" "$impl" "$pid" "$addr" "$path"
      done
    done
  fi
done

echo
echo "medians over $REPS reps ($COUNT queries each; closed = $CONC outstanding, rate = $RATE q/s):"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log(["mode", "impl", "qps", "p50_ms", "p99_ms", "p999_ms", "mean_ms", "srv_us/q", "bad+lost", "load1"].join("\t"));
for (const mode of ["closed", "rate", "dnsperf", "dnsperf-udp6", "dnsperf-tcp6", "dnsperf-tcp4"]) for (const impl of ["ctnet", "aardvark"]) {
  const r = rows.filter((x) => x.mode === mode && x.impl === impl);
  if (!r.length) continue;
  const m = (k) => (r[0][k] === undefined ? "-" : med(r.map((x) => x[k])));
  console.log([mode, impl, m("qps"), m("p50_ms"), m("p99_ms"), m("p999_ms"), m("mean_ms"),
    med(r.map((x) => (x.server_cpu_ms * 1000) / (x.good + x.bad + (x.mode.startsWith("dnsperf") ? 0 : Number(process.argv[2]))))).toFixed(1),
    r.reduce((s, x) => s + x.bad + x.lost, 0), m("load1")].join("\t"));
}' "$RAW" "$WARMUP"
