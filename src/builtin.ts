// Node's own modules that only some runs use, required at their first use instead of imported: an ES import
// of a built-in loads it (and what it needs) at every start. node:child_process (with node:net and node:dgram
// beneath it) is ~2.5 ms of a start on Node 22 and is now used only where nft is spawned (the daemon, or no
// libnftables), and by iptables and conntrack.
import { createRequire } from 'node:module';

const required = new Map<string, unknown>();

/** One-shot digests (node:crypto's hash, Node >= 20.12) with the module required at the first digest: node:crypto
 *  loads ~30 of Node's modules (its ciphers bring the streams), ~3 ms of a start, which `validate` never needs. */
export const digest = (algorithm: string, data: string, encoding: 'hex' | 'base64'): string =>
  builtin<typeof import('node:crypto')>('node:crypto').hash(algorithm, data, encoding);

/** The built-in module `id` (e.g. 'node:net'), required on the first call. */
export function builtin<T>(id: string): T {
  let m = required.get(id);
  if (m === undefined) required.set(id, (m = createRequire(import.meta.url)(id)));
  return m as T;
}
