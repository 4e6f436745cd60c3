// show: observe the host and every named namespace, print what ctnet owns as a topology.
import { readdirSync, statSync } from 'node:fs';
import { stringify } from 'yaml';
import { createKernel } from '../../kernel/index.js';
import { HOST, type NsRef } from '../../model/state.js';
import { observe } from '../../observe/index.js';
import { toTopology } from '../../show/to-topology.js';
import type { Output } from '../output.js';

const NETNS_DIR = '/run/netns';

export async function showCommand(format: string, out: Output): Promise<number> {
  if (format !== 'yaml' && format !== 'json') {
    out.err(`error: -o ${format}: unknown format; use yaml or json`);
    return 1;
  }
  const kernel = await createKernel();
  try {
    const names = new Map<NsRef, string>();
    let entries: string[] = [];
    try { entries = readdirSync(NETNS_DIR); } catch { /* no named namespaces at all */ }
    // The host itself may have a name under /run/netns (a sandbox, `ip netns exec`): it is
    // observed as the host, not a second time as a container namespace.
    const self = statSync('/proc/thread-self/ns/net');
    for (const n of entries) {
      const path = `${NETNS_DIR}/${n}`;
      try {
        const st = statSync(path);
        if (st.ino === self.ino && st.dev === self.dev) continue;
      } catch {
        continue; // vanished or not a namespace
      }
      names.set(path, n);
    }
    const labels = new Map<NsRef, string>([[HOST, 'host'], ...names]);
    const observed = await observe(kernel, labels);
    const owned = new Set((await kernel.listOwnedNetns()).map((o) => o.name));
    const topo = toTopology(observed, names, owned);
    out.log(format === 'json' ? JSON.stringify(topo, null, 2) : stringify(topo));
    return 0;
  } finally {
    await kernel.close();
  }
}
