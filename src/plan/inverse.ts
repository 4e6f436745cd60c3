// Pure: the operation that undoes an operation, for apply's journal. Every
// operation carries the object it acts on and, where it changes one, the previous
// version, so undo never needs to observe. Deleting a link or namespace also
// removed what was inside it; the journal cannot bring that back alone, which is
// why apply re-plans from its pre-apply snapshot after undoing (apply/restore.ts).
import { kindOfKey } from '../model/keys.js';
import type { Operation } from '../model/ops.js';
import type { OwnedObj } from '../model/state.js';

/** Orphans (half-created or half-deleted links) and veths whose peer was not seen cannot be
 *  re-created from what was observed, and were never wanted: undo and restore leave them gone. */
export function recreatable(obj: OwnedObj): boolean {
  return kindOfKey(obj.key) !== 'orphan' && !(obj.kind === 'veth' && !obj.peerNs);
}

/** All operations that undo `op`, in the order to run them. */
export function undoAll(op: Operation): Operation[] {
  switch (op.op) {
    case 'netns.create': return [{ op: 'netns.delete', obj: op.obj }];
    case 'netns.delete': return [{ op: 'netns.create', obj: op.obj }];
    case 'link.create': return [{ op: 'link.delete', ns: op.obj.ns, objs: [op.obj] }];
    case 'link.update': return [{ op: 'link.update', obj: op.before, before: op.obj }];
    case 'link.delete': return op.objs.filter(recreatable).map((obj) => ({ op: 'link.create', obj }) as Operation);
    case 'addr.add': return [{ op: 'addr.delete', obj: op.obj }];
    case 'addr.delete': return [{ op: 'addr.add', obj: op.obj }];
    case 'route.replace':
      return [op.before ? { op: 'route.replace', obj: op.before, before: op.obj } : { op: 'route.delete', obj: op.obj }];
    case 'route.delete': return [{ op: 'route.replace', obj: op.obj }];
    // Without a known previous value (the sysctl was unreadable) there is nothing to go back to.
    case 'sysctl.set': return op.before === undefined ? [] : [{ op: 'sysctl.set', obj: { ...op.obj, value: op.before }, before: op.obj.value }];
    case 'hosts.write': return [op.before ? { op: 'hosts.write', obj: op.before, before: op.obj } : { op: 'hosts.delete', obj: op.obj }];
    case 'hosts.delete': return [{ op: 'hosts.write', obj: op.obj }];
    case 'nft.apply': return [{ op: 'nft.apply', ns: op.ns, obj: op.before, before: op.obj }];
    case 'fw.insert': return [{ op: 'fw.delete', obj: op.obj }];
    case 'fw.delete': return [{ op: 'fw.insert', obj: { ...op.obj, partial: undefined } }];
  }
}

/** The single operation that undoes `op`, or null when there is none. A group delete of
 *  several links has one inverse per link and gets null here (apply's snapshot restore
 *  re-creates them); callers that can run several should use undoAll(). */
export function undo(op: Operation): Operation | null {
  const all = undoAll(op);
  return all.length === 1 ? all[0] : null;
}
