// show: observe the host and every named namespace, print what one project owns as a topology.
import { stringify } from 'yaml';
import { createKernel } from '../kernel/index.js';
import type { Kernel } from '../kernel/port.js';
import { HOST, projectOf, type NsRef } from '../model/state.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { projectArg } from './project-arg.js';
import { fromRaw, readAll, readParts } from '../observe/index.js';
import { nsPart } from '../model/parts.js';
import { toTopology, unreadableContainers, type DockerNs, type ShownTopology } from '../show/to-topology.js';
import { Engine } from '../docker/engine.js';
import { showTables } from '../show/table.js';
import type { Output } from './output.js';

export async function showCommand(format: string, out: Output, project = DEFAULT_PROJECT): Promise<number> {
  if (format !== 'yaml' && format !== 'json' && format !== 'table') {
    out.err(`error: -o ${format}: unknown format; use yaml, json or table`);
    return 1;
  }
  const topo = await shownTopology(project, (c) => out.err(`warning: container "${c}" is attached through a namespace without a name under /run/netns (given by pid or path) that is not a running Docker container's: show cannot read it and leaves it out, so applying this output would detach it`));
  out.log(format === 'json' ? JSON.stringify(topo, null, 2) : format === 'table' ? showTables(topo) : stringify(topo));
  return 0;
}

/** What one project owns on this host, as a topology (also what `ctnet graph` without -f draws). */
export async function shownTopology(project: string, unreadable?: (container: string) => void): Promise<ShownTopology> {
  projectArg(project);
  const kernel = await createKernel();
  try {
    return await shownBy(kernel, project, unreadable);
  } finally {
    await kernel.close();
  }
}

/** The same through a given kernel (the fake one in the round-trip tests). */
export async function shownBy(kernel: Kernel, project: string, unreadable?: (container: string) => void): Promise<ShownTopology> {
  const names = new Map<NsRef, string>((await kernel.listNamedNetns()).map((n) => [n.path, n.name]));
  const labels = new Map<NsRef, string>([[HOST, 'host'], ...names]);
  // Every named namespace is read; those of other projects are foreign to this one and left out.
  const raw = await readAll(kernel, [...labels.keys()], [], project, true);
  let observed = fromRaw(raw, labels, project);
  // Containers attached by pid: are read through the Docker engine's running containers, when there is one:
  // their namespaces only, on top of what was read.
  const docker = unreadableContainers(observed).length ? await dockerNamespaces() : new Map<NsRef, DockerNs>();
  if (docker.size) {
    const all = new Map([...labels, ...[...docker].map(([ns, d]) => [ns, d.name] as const)]);
    observed = fromRaw(await readParts(kernel, all, { parts: new Set([...docker.keys()].map(nsPart)), previous: raw, project }), all, project);
  }
  const owned = new Set((await kernel.listOwnedNetns()).filter((o) => projectOf(o) === project).map((o) => o.name));
  const shown = toTopology(observed, names, owned, docker);
  for (const c of unreadableContainers(observed)) unreadable?.(c);
  const { version, ...rest } = shown;
  return project === DEFAULT_PROJECT ? shown : { version, name: project, ...rest };
}

/** The running containers of the Docker engine (if one answers) by namespace; none when there is no engine. */
async function dockerNamespaces(): Promise<Map<NsRef, DockerNs>> {
  try {
    const running = await new Engine().running();
    return new Map(running.map((c) => [`/proc/${c.pid}/ns/net`, { name: c.name, ...(c.hostsPath ? { hostsPath: c.hostsPath } : {}) }]));
  } catch {
    return new Map();
  }
}
