// What the daemon last read from the kernel, kept between passes, and the
// targeted re-reads that keep it true. A full read of a host with 1000
// containers is ~1000 netlink dumps plus a host link dump the kernel itself
// needs ~100 ms for; a drift event names one namespace (and, in the host, the
// veth it is about), so a repair re-reads just that: the container's dump and
// its veth host ends by name. Everything else was unchanged by definition:
// it would have sent an event (or the periodic full resync catches it).
import type { Kernel, NsDump, RawLink } from '../kernel/port.js';
import { HOST, type DesiredState, type NsRef, type ObservedState } from '../model/state.js';
import { fromRaw, observeRaw, pathsByNs, type RawObservation } from '../observe/index.js';
import { partObjects, rawSlice, vethLabel } from './partition.js';
import type { Scope } from './scope.js';

const NETNS_DIR = '/run/netns/';

export class ObservationCache {
  private raw?: RawObservation;

  get ready(): boolean { return this.raw !== undefined; }

  drop(): void { this.raw = undefined; }

  /** Read everything (start, reload, resync, after a failure): the same reads as `ctnet apply`. */
  async readAll(kernel: Kernel, namespaces: NsRef[], sysctls: { ns: NsRef; path: string }[] = []): Promise<RawObservation> {
    this.raw = undefined; // never half-updated: a failed read leaves no cache
    this.raw = await observeRaw(kernel, namespaces, sysctls);
    return this.raw;
  }

  /** Keep the sysctl values a full pass read after compiling, so targeted passes see them too. */
  recordSysctls(observed: ObservedState): void {
    for (const o of observed.objects.values()) {
      const d = o.kind === 'sysctl' ? this.raw?.dumps.get(o.ns) : undefined;
      if (o.kind === 'sysctl' && d) d.sysctls = { ...d.sysctls, [o.path]: o.value };
    }
  }

  /** Read again what `scope` names; `desired` says which veth host ends and sysctls belong to it. */
  async refresh(kernel: Kernel, scope: Scope, desired: DesiredState): Promise<void> {
    const raw = this.raw;
    if (!raw) throw new Error('ctnet: targeted read before a full one');
    // Only the parts this pass is about (the desired state is indexed by part): not all 5000 objects.
    const parts = [HOST, ...scope.ns].map((p) => partObjects(desired, p));
    const sysctls = pathsByNs(parts.flat().filter((o) => o.kind === 'sysctl'));
    const hostDump = raw.dumps.get(HOST);
    const names = new Set(scope.hostLinks);
    if (!scope.host && hostDump) {
      // The veth host ends of the scope's containers: the desired names and whatever carries their mark now.
      // (scope.labels may name containers the desired state no longer has: their ends are to be deleted.)
      const labels = new Set([...scope.labels, ...[...scope.ns].map((ns) => desired.nsLabels.get(ns)).filter((l): l is string => l !== undefined)]);
      for (const list of parts) for (const o of list) if (o.kind === 'veth' && scope.ns.has(o.peerNs)) names.add(o.name);
      for (const l of hostDump.links) {
        const label = vethLabel(l);
        if (label !== undefined && labels.has(label)) names.add(l.name);
      }
    }
    const partialNetns = scope.host || scope.ns.size === 0 ? undefined
      : new Set([...scope.ns].filter((p) => p.startsWith(NETNS_DIR)).map((p) => p.slice(NETNS_DIR.length)));
    const dumped = [...scope.ns].filter((ns) => desired.nsLabels.has(ns)); // see rawSlice: removed ones are not read
    const [dumps, host, links, nft, owned, files] = await Promise.all([
      Promise.all(dumped.map((ns) => kernel.dump(ns, sysctls.get(ns) ?? []))),
      scope.host || !hostDump ? kernel.dump(HOST, sysctls.get(HOST) ?? []) : undefined,
      !scope.host && hostDump && names.size ? kernel.getLinks(HOST, [...names]) : undefined,
      scope.nft ? kernel.dumpNft(HOST) : undefined,
      // The namespace list: just the scope's own named namespaces when the pass is about a few.
      scope.netns ? kernel.listOwnedNetns(partialNetns ? [...partialNetns] : undefined) : undefined,
      scope.files ? kernel.listHostsFiles() : undefined,
    ]);
    dumped.forEach((ns, i) => raw.dumps.set(ns, dumps[i]));
    if (host !== undefined) raw.dumps.set(HOST, host);
    else if (hostDump && links) raw.dumps.set(HOST, overlay(hostDump, names, links));
    if (nft !== undefined) raw.nft = nft;
    if (owned && partialNetns) raw.owned = raw.owned.filter((o) => !partialNetns.has(o.name)).concat(owned).sort((a, b) => (a.name < b.name ? -1 : 1));
    else if (owned) raw.owned = owned;
    if (files) raw.files = files;
  }

  /** The observed state of host ∪ scope, from what was read. */
  observedSlice(scope: ReadonlySet<NsRef>, labels: Map<NsRef, string>): ObservedState {
    if (!this.raw) throw new Error('ctnet: targeted read before a full one');
    return fromRaw(rawSlice(this.raw, scope, labels), labels);
  }
}

/** The host dump with the links looked up by name replaced by what the kernel has now (a link that
 *  was re-created has a new ifindex; one that is gone is dropped). */
function overlay(d: NsDump, names: Set<string>, fresh: RawLink[]): NsDump {
  const indexes = new Set(fresh.map((l) => l.index));
  const links = d.links.filter((l) => !names.has(l.name) && !indexes.has(l.index)).concat(fresh);
  return { ...d, links };
}
