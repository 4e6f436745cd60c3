// Memoised answers, per compiled zone: decoding every query and encoding every
// reply with dns-packet was most of the server's own CPU per query (bench/
// RESULTS-dns.md). decide() is a pure function of the message bytes (the ID only
// lands in the reply's first two bytes), the zone and two flags, so a reply made
// once can be copied with the new ID patched in. A zone is never mutated
// (update() swaps in a new CompiledZone), so keying the memo by the zone object
// drops it with the zone. Only 'answer' decisions are kept (forwards carry the ID
// to the upstream, drops are junk); the memo is bounded and simply emptied when
// full, so random names cannot grow memory.
import { decide, fromZone, type CompiledZone, type Decision } from './answer.js';

const MAX_ENTRIES = 4096;
const MAX_MESSAGE = 512; // ordinary UDP queries; bigger (TCP) messages are decided afresh

interface Memo { replies: Map<string, Buffer>; sources: Map<string, boolean> }
const memos = new WeakMap<CompiledZone, Memo>();

function memoOf(z: CompiledZone): Memo {
  let m = memos.get(z);
  if (!m) memos.set(z, (m = { replies: new Map(), sources: new Map() }));
  return m;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, value);
}

/** decide(), answering repeated questions from a copy of the first reply. */
export function decideMemo(msg: Buffer, z: CompiledZone, canForward: boolean, inside: boolean): Decision {
  if (msg.length < 12 || msg.length > MAX_MESSAGE) return decide(msg, z, canForward, inside);
  const key = `${inside ? 1 : 0}${canForward ? 1 : 0}${msg.toString('latin1', 2)}`;
  const { replies } = memoOf(z);
  const hit = replies.get(key);
  if (hit) {
    const response = Buffer.allocUnsafe(hit.length);
    hit.copy(response);
    response[0] = msg[0];
    response[1] = msg[1];
    return { kind: 'answer', response };
  }
  const d = decide(msg, z, canForward, inside);
  if (d.kind === 'answer' && d.response.length >= 2) remember(replies, key, Buffer.from(d.response));
  return d;
}

/** fromZone(), remembered per source address (a zone's clients are few). */
export function fromZoneMemo(z: CompiledZone, ip: string): boolean {
  const { sources } = memoOf(z);
  let inside = sources.get(ip);
  if (inside === undefined) remember(sources, ip, (inside = fromZone(z, ip)));
  return inside;
}
