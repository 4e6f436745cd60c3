// Pure: drafts for ctnet's blocks in hosts files and resolv.conf. A block is
// written when missing or different, rewritten at the new path (delete + write)
// when its path changed, and removed when its container left the topology.
// Files are on the host's filesystem, not in a namespace: deleting a container's
// namespace does not remove them, so nothing here is "implied" by other deletes.
import type { DesiredState, HostsFileObj, ObservedState } from '../model/state.js';
import { compare } from './compare.js';
import type { Draft } from '../model/ops.js';

const lines = (block: string) => (block === '' ? 0 : block.split('\n').length);

export function diffHosts(desired: DesiredState, observed: ObservedState): Draft[] {
  const out: Draft[] = [];
  const keys = new Set<string>();
  const take = (o: { kind: string }, k: string) => { if (o.kind === 'hosts') keys.add(k); };
  desired.objects.forEach(take); // forEach: see diff.ts
  observed.objects.forEach(take);
  for (const key of [...keys].sort()) {
    const d = desired.objects.get(key) as HostsFileObj | undefined;
    const o = observed.objects.get(key) as HostsFileObj | undefined;
    if (!d) { out.push({ key, action: 'delete', reason: 'not-in-topology', op: { op: 'hosts.delete', obj: o! } }); continue; }
    if (!o) { out.push({ key, action: 'create', reason: 'missing', op: { op: 'hosts.write', obj: d }, detail: `${lines(d.block)} line(s) in ${d.path}` }); continue; }
    const { immutable, mutable } = compare(o, d);
    if (immutable.length) {
      const detail = immutable.join(', ');
      out.push({ key, action: 'replace', reason: 'immutable-changed', op: { op: 'hosts.delete', obj: o }, detail });
      out.push({ key, action: 'replace', reason: 'immutable-changed', op: { op: 'hosts.write', obj: d }, detail });
    } else if (mutable.length) {
      out.push({ key, action: 'update', reason: 'drifted', op: { op: 'hosts.write', obj: d, before: o }, detail: mutable.join(', ') });
    }
  }
  return out;
}
