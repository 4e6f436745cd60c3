# shellcheck shell=bash
# ctnet as a tool of ../shared/peer-bench: the same workload as ip-batch
# (bridge bench0 10.88.0.0/16, N existing namespaces bc-1..N, each with eth0,
# a static address, a default route and lo up) from one topology file.
#  setup    = ctnet apply   (cold)
#  check    = ctnet apply   (converged: observes everything, plans nothing)
#  teardown = ctnet destroy (links deleted as one group)
# Published ports and masquerade are not part of ctnet's core issue yet, so the
# harness' DNAT/masquerade/TCP checks report FAIL for this tool until they are.
CTNET_MAIN=${CTNET_MAIN:?set CTNET_MAIN to dist/src/cli/main.js}

tool_prepare() {
  local i
  {
    echo "version: 1"
    echo "networks:"
    echo "  bench: { bridge_name: $BR, subnet: $SUBNET, gateway: $GW }"
    echo "containers:"
    for ((i = 1; i <= N; i++)); do
      echo "  c$i: { netns: $CPFX$i, networks: { bench: { ipv4_address: $(ctr_ip "$i") } } }"
    done
  } >topology.yaml
}

tool_setup()    { node "$CTNET_MAIN" apply -q -f topology.yaml; }
tool_check()    { node "$CTNET_MAIN" apply -q -f topology.yaml; }
tool_teardown() { node "$CTNET_MAIN" destroy; }
