// The projects on this host (`ctnet ls`, `destroy --all`, the hint of a `destroy` that
// finds its project empty) and the ports other projects publish (conflicts). Read from
// the marks alone, like everything ctnet knows about itself: link aliases, namespace
// markers, file and route records, and one nft table per project.
import type { Kernel } from '../kernel/port.js';
import { DEFAULT_PROJECT, parseAlias, parseKey, projectOfTable, tableOf } from '../model/keys.js';
import { HOST, projectOf, type ForeignObj } from '../model/state.js';
import { decodePorts, type PortEntry } from '../nft/codec.js';
import { nftFromListing } from '../nft/observe.js';
import { isOwnedRoute } from './ownership.js';

export interface ProjectSummary {
  name: string;
  networks: string[];
  containers: string[];
  /** Published host ports (one per map entry: a range counts each port). */
  ports: number;
  /** The `ctnet watch` daemon that manages it. */
  managedBy?: { pid: number; command: string; files?: string[] };
}

export async function listProjects(kernel: Kernel): Promise<ProjectSummary[]> {
  const [host, owned, files, routes, ports] = await Promise.all([
    kernel.dump(HOST, []), kernel.listOwnedNetns(), kernel.listHostsFiles(), kernel.listRouteRecords(), portsByProject(kernel),
  ]);
  const all = new Map<string, { networks: Set<string>; containers: Set<string>; ports: number }>();
  const of = (p: string) => all.get(p) ?? all.set(p, { networks: new Set(), containers: new Set(), ports: 0 }).get(p)!;
  for (const l of host?.links ?? []) {
    const a = parseAlias(l.alias);
    if (!a) continue;
    const k = parseKey(a.key);
    if (k.kind === 'bridge' && k.network) of(a.project).networks.add(k.network);
    else if (k.kind === 'veth' && k.container) of(a.project).containers.add(k.container);
    else of(a.project);
  }
  for (const o of owned) of(projectOf(o)).containers.add(o.container ?? o.name);
  for (const f of files) { const k = parseKey(f.key); const p = of(projectOf(f)); if (k.container) p.containers.add(k.container); }
  const recorded = new Set(routes.map((r) => r.dst));
  for (const r of routes) of(r.project);
  if ((host?.routes ?? []).some((r) => isOwnedRoute(r) && !recorded.has(r.dst))) of(DEFAULT_PROJECT);
  for (const [project, entries] of ports) of(project).ports += entries.length;
  const names = [...all.keys()].sort();
  const managers = await Promise.all(names.map((n) => kernel.manager(n)));
  return names.map((name, i) => {
    const p = all.get(name)!;
    const m = managers[i];
    return {
      name, networks: [...p.networks].sort(), containers: [...p.containers].sort(), ports: p.ports,
      ...(m ? { managedBy: { pid: m.pid, command: m.command, ...(m.files ? { files: m.files } : {}) } } : {}),
    };
  });
}

/** The host ports every other project publishes, as foreign objects for the conflict check. Only read
 *  when `project` publishes ports itself: a project without ports pays nothing for it. */
export async function otherProjectsPorts(kernel: Kernel, project: string): Promise<ForeignObj[]> {
  const out: ForeignObj[] = [];
  for (const [other, entries] of await portsByProject(kernel, project)) {
    for (const e of entries) {
      out.push({
        kind: 'port', ns: HOST, proto: e.proto, port: e.hostPort, project: other,
        to: `${e.addr}:${e.port}`, ...(e.hostIp !== undefined ? { hostIp: e.hostIp } : {}),
      });
    }
  }
  return out;
}

/** The ports each project's table publishes (every project's table but `except`'s). */
async function portsByProject(kernel: Kernel, except?: string): Promise<Map<string, PortEntry[]>> {
  const skip = except === undefined ? undefined : tableOf(except);
  const tables = (await kernel.listNftTables(HOST)).filter((t) => t !== skip);
  const listings = await Promise.all(tables.map((t) => kernel.dumpNft(HOST, t)));
  return new Map(tables.map((t, i) => [projectOfTable(t)!, decodePorts(nftFromListing(listings[i])?.ruleset)]));
}
