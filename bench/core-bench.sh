#!/usr/bin/env bash
# bench/core-bench.sh [N...] -- ctnet-only figures of issue 2 (default N = 10 100 1000):
#   cold apply, converged plan, destroy (wall ms, per container) and peak RSS of
#   each, plus the fixed cost of a CLI process (`--version`, and `plan` of an
#   empty topology) so per-container cost can be told apart from start-up.
#
#   npm run build && sudo bench/core-bench.sh            # REPS=3 (N<1000), REPS_BIG=2 (N>=1000)
#   CPU_PROF=1 sudo bench/core-bench.sh 1000              # also write .cpuprofile files
#   NODE_FLAGS="--min-semi-space-size=16" ...: Node's own flags for every ctnet process (V8 flags not
#                 allowed in NODE_OPTIONS, such as --min-semi-space-size, too)
#   PORTS=1 ...: every container also publishes host port 20000+i -> 80/tcp (nftables)
#   SECOND=100 ...: before each apply, a second project (`name: second`) of 100 containers with
#                 published ports is applied untimed next to the measured one (project filtering cost)
#   BREAKDOWN=1 sudo bench/core-bench.sh 1000             # only: stage times + netlink requests
#                                                         # (bench/core-breakdown.mjs), one JSON line per N
#
# Its own sandbox: a "host" namespace and N container namespaces with a unique
# prefix (cb<hex>), created untimed, removed by the EXIT trap even on failure.
# ctnet runs inside the host namespace through `nsenter --net` (setns only), the
# way the root tests run it. The root namespace is never touched.
# Output: one TSV line per measurement on stdout (n rep phase wall_ms cpu_ms
# maxrss_kb rc; cpu = user+sys of the process, from GNU time: on a busy machine
# it is the figure that does not depend on how much CPU others take) and a
# summary table; OUT=file to keep the raw lines.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAIN=${CTNET_MAIN:-$REPO/dist/bundle/main.js}
[ -f "$MAIN" ] || { echo "run 'npm run build' first" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 2; }
[ $# -gt 0 ] || set -- 10 100 1000
REPS=${REPS:-3} REPS_BIG=${REPS_BIG:-2}
P=cb$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
HOST=${P}h
WORK=$(mktemp -d /tmp/ctnet-core-bench.XXXXXX)
RAW=${OUT:-$WORK/raw.tsv}

destroy_sandbox() {   # only names with our unique prefix
  ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 { print "netns del " $1 }' | ip -force -batch - 2>/dev/null
  rm -f /run/ctnet/applied/*@ns-"$HOST" /run/ctnet/routes/*@ns-"$HOST"   # ctnet's per-host records of this sandbox
  return 0
}
cleanup() { destroy_sandbox; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's: the first
# run of each command makes it (as on a host where ctnet was just installed), the others use it
export CTNET_CACHE_DIR=${CTNET_CACHE_DIR-$WORK/cache}

create_sandbox() { # N
  destroy_sandbox
  { echo "netns add $HOST"; for ((i = 1; i <= $1; i++)); do echo "netns add ${P}c$i"; done
    for ((i = 1; i <= ${SECOND:-0}; i++)); do echo "netns add ${P}s$i"; done; } | ip -batch - || return 1
  ip -n "$HOST" link set lo up
}

second() { # the other project: applied untimed before the measured apply
  local i
  {
    echo "version: 1"
    echo "name: second"
    echo "networks:"
    echo "  other: { bridge_name: ${P}br2, subnet: 10.89.0.0/16 }"
    echo "containers:"
    for ((i = 1; i <= SECOND; i++)); do
      echo "  s$i: { netns: ${P}s$i, networks: [other], ports: [\"$((40000 + i)):80\"] }"
    done
  } >"$WORK/second.yaml"
  nsenter --net="/run/netns/$HOST" node "$MAIN" apply -q -f "$WORK/second.yaml" >/dev/null || echo "  second project apply FAILED" >&2
}

topology() { # N -> file (the workload of bench/peer-tools/ctnet.sh, with our names)
  local i
  {
    echo "version: 1"
    echo "networks:"
    echo "  bench: { bridge_name: ${P}br, subnet: 10.88.0.0/16, gateway: 10.88.0.1 }"
    echo "containers:"
    for ((i = 1; i <= $1; i++)); do
      echo "  c$i: { netns: ${P}c$i, networks: { bench: { ipv4_address: 10.88.$(((i - 1) / 250)).$(((i - 1) % 250 + 2)) } }${PORTS:+, ports: [\"$((20000 + i)):80\"]} }"
    done
  } >"$WORK/top-$1.yaml"
}

# timed N REP PHASE ctnet-args...  -> one raw line; wall time bracketed around
# the whole process (nsenter + node start-up + work), RSS from GNU time.
timed() {
  local n=$1 rep=$2 phase=$3 t0 t1 rc rss prof=() flags
  read -ra flags <<<"${NODE_FLAGS:-}"
  shift 3
  [ "${CPU_PROF:-0}" = 1 ] && prof=(--cpu-prof --cpu-prof-dir "$WORK/prof" --cpu-prof-name "N$n-r$rep-$phase.cpuprofile")
  t0=$(date +%s%N)
  /usr/bin/time -o "$WORK/time.txt" -f '%M %U %S' nsenter --net="/run/netns/$HOST" node "${flags[@]}" "${prof[@]}" "$MAIN" "$@" \
    >"$WORK/$phase.out" 2>&1
  rc=$?
  t1=$(date +%s%N)
  read -r rss usr sys < <(tail -n1 "$WORK/time.txt")
  printf '%s\t%s\t%s\t%.1f\t%.0f\t%s\t%s\n' "$n" "$rep" "$phase" "$(awk -v d=$((t1 - t0)) 'BEGIN{print d/1e6}')" \
    "$(awk -v u="$usr" -v s="$sys" 'BEGIN{print (u+s)*1000}')" "$rss" "$rc" | tee -a "$RAW"
  [ "$rc" -eq "${EXPECT_RC:-0}" ] || { echo "  $phase rc=$rc:" >&2; head -n5 "$WORK/$phase.out" >&2; }
}

if [ "${BREAKDOWN:-0}" = 1 ]; then
  for n in "$@"; do
    topology "$n"
    create_sandbox "$n" || exit 1
    nsenter --net="/run/netns/$HOST" node "$REPO/bench/core-breakdown.mjs" "$WORK/top-$n.yaml" | sed "s/^/{\"n\":$n,/; s/^{\"n\":$n,{/{\"n\":$n,/"
    destroy_sandbox
    sleep $((1 + n / 250))
  done
  exit 0
fi

echo "# ctnet $(git -C "$REPO" rev-parse --short HEAD); node $(node -v); kernel $(uname -r); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RAW"
printf 'n\trep\tphase\twall_ms\tcpu_ms\tmaxrss_kb\trc\n' | tee -a "$RAW"
printf 'version: 1\nnetworks: {}\ncontainers: {}\n' >"$WORK/empty.yaml"
create_sandbox 0 || exit 1
for rep in 1 2 3; do
  timed 0 "$rep" version --version
  timed 0 "$rep" plan-empty plan -f "$WORK/empty.yaml"
done

for n in "$@"; do
  reps=$REPS; [ "$n" -ge 1000 ] && reps=$REPS_BIG
  topology "$n"
  for ((rep = 1; rep <= reps; rep++)); do
    create_sandbox "$n" || { echo "sandbox create failed" >&2; exit 1; }
    [ "${SECOND:-0}" -gt 0 ] && second
    timed "$n" "$rep" apply apply -q -f "$WORK/top-$n.yaml"
    # connectivity spot check (untimed): first to last container
    last=10.88.$(((n - 1) / 250)).$(((n - 1) % 250 + 2))
    ip netns exec "${P}c1" ping -c2 -i0.2 -W2 -q "$last" >/dev/null 2>&1 || echo "  N=$n rep $rep: ping c1 -> c$n FAILED" >&2
    EXPECT_RC=0 timed "$n" "$rep" plan plan --detailed-exitcode -f "$WORK/top-$n.yaml"
    timed "$n" "$rep" destroy destroy
    left=$(ip -n "$HOST" -o link show | grep -v ': lo:' | grep -vc "${P}br2\|alias ctnet@second:")
    [ "$left" -eq 0 ] || echo "  N=$n rep $rep: $left links left after destroy" >&2
    destroy_sandbox
    sleep $((1 + n / 250))   # let the kernel finish the async netns cleanup
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RAW"

# summary: median ms, ms per container, median peak RSS (MB)
echo
echo "| N | phase | reps | wall ms median [min..max] | wall ms/ctr | CPU ms median (user+sys) | CPU ms/ctr | peak RSS MB (max) |"
echo "|---|---|---|---|---|---|---|---|"
awk -F'\t' '!/^#/ && $1 != "n" && $7 == 0 {
    k = $1 SUBSEP $3; v[k] = v[k] " " $4; u[k] = u[k] " " $5; r[k] = ($6 > r[k] ? $6 : r[k]); c[k]++
    if (!(k in o)) { o[k] = ++no; ok[no] = k } }
  function med(s,   a, m, i, j, t) {
    m = split(substr(s, 2), a, " ")
    for (i = 2; i <= m; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    lo = a[1]; hi = a[m]; return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END { for (i = 1; i <= no; i++) { k = ok[i]; split(k, p, SUBSEP); cm = med(u[k]); m = med(v[k])
      printf "| %s | %s | %d | %.1f [%.1f..%.1f] | %s | %.0f | %s | %.1f |\n", p[1], p[2], c[k], m, lo, hi,
        (p[1] > 0 ? sprintf("%.2f", m / p[1]) : "-"), cm, (p[1] > 0 ? sprintf("%.2f", cm / p[1]) : "-"), r[k] / 1024 } }' "$RAW"
[ "${CPU_PROF:-0}" = 1 ] && { mkdir -p /tmp/ctnet-prof && cp "$WORK"/prof/*.cpuprofile /tmp/ctnet-prof/ && echo "profiles in /tmp/ctnet-prof" >&2; }
exit 0
