// Node's own modules that only some runs use, required at their first use instead of imported: an ES import
// of a built-in loads it (and what it needs) at every start. node:child_process (with node:net and node:dgram
// beneath it) is ~2.5 ms of a start on Node 22 and is now used only where nft is spawned (the daemon, or no
// libnftables), and by iptables where Docker's chain may be (kernel/fw.ts).
import { createRequire } from 'node:module';
import { addonPath } from './package.js';

const required = new Map<string, unknown>();

/** SHA-1 or SHA-256 of a text. By the OpenSSL inside Node through ctnet's addon (native/digest.c) where it can:
 *  node:crypto would load ~30 of Node's modules (its ciphers bring the streams), 2-4 ms of every `apply` and
 *  `plan`, which hash only a few dozen short texts at 10 containers. node:crypto's one-shot hash (Node >= 20.12)
 *  otherwise: the same bytes (builtin.test.ts). */
export function digest(algorithm: 'sha1' | 'sha256', data: string, encoding: 'hex' | 'base64'): string {
  const hash = nativeHash();
  if (hash) return hash(algorithm === 'sha1' ? 1 : 256, data).toString(encoding);
  return builtin<typeof import('node:crypto')>('node:crypto').hash(algorithm, data, encoding);
}

type Hash = (algorithm: 1 | 256, data: string) => Buffer;
let hashFn: Hash | null | undefined;
/** The addon's hash, or null when the addon is not built (a checkout before `npm run build` of the native
 *  code, `validate` on a machine without it) or this Node carries no OpenSSL to hash with. */
function nativeHash(): Hash | null {
  if (hashFn !== undefined) return hashFn;
  try {
    const addon = builtin<{ hashAvailable(): boolean; hash: Hash }>(addonPath());
    hashFn = addon.hashAvailable() ? addon.hash : null;
  } catch {
    hashFn = null;
  }
  return hashFn;
}

/** The module `id` (a built-in such as 'node:net', or ctnet's addon by its path), required on the first call. */
export function builtin<T>(id: string): T {
  let m = required.get(id);
  if (m === undefined) required.set(id, (m = createRequire(import.meta.url)(id)));
  return m as T;
}
