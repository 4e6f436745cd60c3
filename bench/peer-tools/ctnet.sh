# shellcheck shell=bash
# ctnet as a tool of ../shared/peer-bench (bench/peers.sh copies it to tools/):
# the same workload as ip-batch from one topology file: bridge bench0
# 10.88.0.0/16, N existing namespaces bc-1..N each with eth0, a static address,
# a default route and lo up, host port 20000+i -> container i port 80/tcp
# (hairpin included), masquerade of the subnet (ctnet's default).
#  setup    = ctnet apply   (cold: observe, plan, apply, verify by re-observing)
#  check    = ctnet apply   (converged: observes everything, plans nothing, exits 0)
#  teardown = ctnet destroy (links regrouped and deleted by one DELLINK, nft table deleted)
# CTNET_PORTS=0 leaves the published ports out (the core workload of issue 2).
# The harness counts DNAT rules by grepping `nft list ruleset` for one
# "tcp dport P dnat to IP:80" rule per port; ctnet puts published ports in a
# verdict map instead, so that textual count reports dnat-rules=0/N even when
# the functional TCP check through the gateway passes.
CTNET_MAIN=${CTNET_MAIN:?set CTNET_MAIN to dist/bundle/main.js}
CTNET_NODE=${CTNET_NODE:-node}   # bench/peers.sh gives the absolute path of the Node it was started with

tool_prepare() {
  local i ports=
  {
    echo "version: 1"
    echo "networks:"
    echo "  bench: { bridge_name: $BR, subnet: $SUBNET, gateway: $GW }"
    echo "containers:"
    for ((i = 1; i <= N; i++)); do
      [ "${CTNET_PORTS:-1}" = 1 ] && ports=", ports: [\"$((HPORT_BASE + i)):$CPORT\"]"
      echo "  c$i: { netns: $CPFX$i, networks: { bench: { ipv4_address: $(ctr_ip "$i") } }$ports }"
    done
  } >topology.yaml
}

# Peak RSS of the ctnet process (GNU time, ~1 ms of its own) goes into the phase
# log: the harness copies setup's "breakdown" line and check's last line into its TSV.
ctnet_timed() { # PHASE ctnet-args...
  local phase=$1 rc
  shift
  /usr/bin/time -f %M -o "$phase.rss" "$CTNET_NODE" "$CTNET_MAIN" "$@"
  rc=$?
  echo "${phase/setup/breakdown} ctnet maxRSS $(tail -n1 "$phase.rss") KB"
  return $rc
}
tool_setup()    { ctnet_timed setup apply -q -f topology.yaml; }
tool_check()    { ctnet_timed check apply -q -f topology.yaml; }
tool_teardown() { ctnet_timed teardown destroy; }
