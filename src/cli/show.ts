// show: observe the host and every named namespace, print what one project owns as a topology.
import { stringify } from 'yaml';
import { createKernel } from '../kernel/index.js';
import { HOST, projectOf, type NsRef } from '../model/state.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { projectArg } from './project-arg.js';
import { observe } from '../observe/index.js';
import { toTopology, type ShownTopology } from '../show/to-topology.js';
import { showTables } from '../show/table.js';
import type { Output } from './output.js';

export async function showCommand(format: string, out: Output, project = DEFAULT_PROJECT): Promise<number> {
  if (format !== 'yaml' && format !== 'json' && format !== 'table') {
    out.err(`error: -o ${format}: unknown format; use yaml, json or table`);
    return 1;
  }
  const topo = await shownTopology(project);
  out.log(format === 'json' ? JSON.stringify(topo, null, 2) : format === 'table' ? showTables(topo) : stringify(topo));
  return 0;
}

/** What one project owns on this host, as a topology (also what `ctnet graph` without -f draws). */
export async function shownTopology(project: string): Promise<ShownTopology> {
  projectArg(project);
  const kernel = await createKernel();
  try {
    const names = new Map<NsRef, string>((await kernel.listNamedNetns()).map((n) => [n.path, n.name]));
    const labels = new Map<NsRef, string>([[HOST, 'host'], ...names]);
    // Every named namespace is read; those of other projects are foreign to this one and left out.
    const observed = await observe(kernel, labels, [], project);
    const owned = new Set((await kernel.listOwnedNetns()).filter((o) => projectOf(o) === project).map((o) => o.name));
    const shown = toTopology(observed, names, owned);
    const { version, ...rest } = shown;
    return project === DEFAULT_PROJECT ? shown : { version, name: project, ...rest };
  } finally {
    await kernel.close();
  }
}
