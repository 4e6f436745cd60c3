// Pure: the firewall part of the desired state. One NftTableObj (the project's whole
// table: `inet ctnet`, or `inet ctnet-<project>`) plus the host sysctls it depends on. These sysctls are
// host-wide: the README says so. They are set, never reset on destroy (as Docker).
import { nftKey, sysctlKey, tableOf } from '../model/keys.js';
import { HOST, type NftTableObj, type ObservedState, type OwnedObj, type SysctlObj } from '../model/state.js';
import type { Topology } from './types.js';
import { buildRuleset, bridgeFor, onLocalhost } from '../nft/build.js';
import { normalise } from '../nft/canon.js';
import { mappingsOf, type AddressOf } from './compile-ports.js';
import type { FwNetwork } from '../model/nft.js';

const sysctl = (path: string, value = '1'): SysctlObj => ({ kind: 'sysctl', key: sysctlKey('host', path), ns: HOST, path, value });

export function observedTable(observed: ObservedState | undefined): NftTableObj | undefined {
  const o = observed?.objects.get(nftKey());
  return o?.kind === 'nft' ? o : undefined;
}

/** `remotes`: container subnets of peers and other hosts, routed to (no masquerade) and allowed in. */
export function firewallObjects(t: Topology, addressOf: AddressOf, observed: ObservedState | undefined, remotes: string[] = []): OwnedObj[] {
  if (t.networks.size === 0) return []; // nothing to publish or isolate: no table at all
  const nets: FwNetwork[] = [...t.networks.values()].map((n) => ({
    name: n.name, bridge: n.bridgeName, subnet4: n.subnet, subnet6: n.ipv6Subnet,
    internal: n.internal, masquerade: n.masquerade, icc: n.icc, allowFrom: n.allowFrom,
  }));
  const mappings = mappingsOf(t, addressOf, observedTable(observed)?.ruleset ?? null);
  const names: Record<string, string> = {};
  for (const m of mappings) names[m.addr] = m.container;
  const table: NftTableObj = {
    kind: 'nft', key: nftKey(), ns: HOST, family: 'inet', name: tableOf(t.project),
    ruleset: normalise(buildRuleset(nets, mappings, remotes)), names,
  };
  const out: OwnedObj[] = [table];
  if (nets.some((n) => !n.internal && n.subnet4)) out.push(sysctl('net/ipv4/ip_forward'));
  if (nets.some((n) => !n.internal && n.subnet6)) out.push(sysctl('net/ipv6/conf/all/forwarding'));
  // The bridges with a port published on localhost; found by address, so stop once every bridge is in.
  const loBridges = new Set<string>();
  const v4Bridges = new Set(nets.flatMap((n) => (n.subnet4 !== undefined ? [n.bridge] : []))).size;
  for (const m of mappings) {
    if (loBridges.size === v4Bridges) break;
    const br = onLocalhost(m) ? bridgeFor(nets, m.addr) : undefined;
    if (br !== undefined) loBridges.add(br);
  }
  for (const br of [...loBridges].sort()) out.push(sysctl(`net/ipv4/conf/${br}/route_localnet`));
  // icc:false can only be enforced on bridged frames when br_netfilter hands them to the inet hooks.
  if (nets.some((n) => !n.icc)) {
    if (nets.some((n) => !n.icc && n.subnet4)) out.push(sysctl('net/bridge/bridge-nf-call-iptables'));
    if (nets.some((n) => !n.icc && n.subnet6)) out.push(sysctl('net/bridge/bridge-nf-call-ip6tables'));
  }
  return out;
}
