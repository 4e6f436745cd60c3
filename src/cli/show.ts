// show: observe the host and every named namespace, print what ctnet owns as a topology.
import { stringify } from 'yaml';
import { createKernel } from '../kernel/index.js';
import { HOST, type NsRef } from '../model/state.js';
import { observe } from '../observe/index.js';
import { toTopology } from '../show/to-topology.js';
import type { Output } from './output.js';

export async function showCommand(format: string, out: Output): Promise<number> {
  if (format !== 'yaml' && format !== 'json') {
    out.err(`error: -o ${format}: unknown format; use yaml or json`);
    return 1;
  }
  const kernel = await createKernel();
  try {
    const names = new Map<NsRef, string>((await kernel.listNamedNetns()).map((n) => [n.path, n.name]));
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
