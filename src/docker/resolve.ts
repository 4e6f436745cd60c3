// `docker: <name|id>` containers -> what compile needs: the container's process (whose namespace is the
// container's; compile's nsRefOf) and the hosts file and resolv.conf the engine bind-mounts into it. Asked
// of the engine before every compile, since a restart gives the container a new process and namespace. A
// container that is not running, or not there at all, is left unresolved: its namespace reference then
// names no file and it waits (reconcile/waiting.ts); the rest converges. Its addresses stay the same when
// it comes back: they come from the topology and from what ctnet allocated before, never from the engine.
import { existsSync } from 'node:fs';
import type { Diagnostic } from '../errors.js';
import { diagAt } from '../spec/source.js';
import type { Container, Topology } from '../spec/types.js';
import { Engine, EngineError, type EngineContainer } from './engine.js';

export interface Resolution {
  topology: Topology;
  warnings: Diagnostic[];
  /** name -> process and files, for telling whether anything changed since the last resolution. */
  signature: string;
}

/** The docker: containers this host runs (`host`: the one being applied, in a multi-host topology). */
const dockerOf = (t: Topology, host?: string): Container[] =>
  [...t.containers.values()].filter((c) => c.docker !== undefined && (host === undefined || c.host === undefined || c.host === host));

/** Their references (names or ids), for matching the engine's events. */
export const dockerRefsOf = (t: Topology, host?: string): string[] => dockerOf(t, host).map((c) => c.docker!);

/** What the engine last said of each container (by the topology's reference): `watch` asks again only about
 *  the containers an event named, so a start among 300 containers is one inspect, not 300. */
export type EngineCache = Map<string, EngineContainer | undefined>;

/** The whole topology back (every host allocates over all of it), this host's Docker containers resolved.
 *  With `cache`, references not in `stale` (undefined: all are) are taken from it, and it is updated. */
export async function resolveDocker(t: Topology, host?: string, engine?: Engine, cache?: EngineCache, stale?: ReadonlySet<string>): Promise<Resolution> {
  const refs = dockerOf(t, host);
  if (refs.length === 0) return { topology: t, warnings: [], signature: '' };
  const warnings: Diagnostic[] = [];
  let eng: Engine;
  try {
    eng = engine ?? new Engine();
  } catch (err) {
    return unreachable(t, refs.length, (err as Error).message);
  }
  let found: (EngineContainer | undefined)[];
  try {
    found = await Promise.all(refs.map((c) => (cache && stale && cache.has(c.docker!) && !stale.has(c.docker!) ? cache.get(c.docker!) : eng.inspect(c.docker!))));
    if (cache) { cache.clear(); refs.forEach((c, i) => cache.set(c.docker!, found[i])); }
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    cache?.clear();
    return unreachable(t, refs.length, err.message);
  }
  const containers = new Map(t.containers);
  const sig: string[] = [];
  refs.forEach((c, i) => {
    const got = found[i];
    if (!got) {
      warnings.push(diagAt(t.sources, ['containers', c.name, 'docker'], `the Docker engine at ${eng.address} has no container "${c.docker}"`,
        `container "${c.name}" waits until one of that name is created (docker run --network none --name ${c.docker} ...)`, 'warning'));
      sig.push(`${c.name}=absent`);
      return;
    }
    if (!got.running || got.pid <= 0) { sig.push(`${c.name}=${got.status}`); return; }
    // The namespace by the engine's own handle where it has one: /proc/<pid> could name another process's
    // namespace if the container stopped and its pid was reused between this question and the apply.
    const handle = got.sandboxKey && got.sandboxKey.startsWith('/') && existsSync(got.sandboxKey) ? { netns: got.sandboxKey } : {};
    const resolved: Container = {
      ...c, pid: got.pid, ...handle,
      ...(c.hostsFileGiven || !got.hostsPath ? {} : { hostsFile: got.hostsPath }),
      ...(got.resolvConfPath ? { resolvFile: got.resolvConfPath } : {}),
    };
    containers.set(c.name, resolved);
    sig.push(`${c.name}=${got.pid}:${got.id}`);
  });
  return { topology: { ...t, containers }, warnings, signature: sig.join(',') };
}

function unreachable(t: Topology, n: number, message: string): Resolution {
  return {
    topology: t, signature: 'unreachable',
    warnings: [{ severity: 'warning', path: 'containers', message: `${message}: ${n} docker: container${n === 1 ? '' : 's'} wait${n === 1 ? 's' : ''}`,
      hint: 'start the engine, or point ctnet at its socket with --docker-host unix:///path or DOCKER_HOST' }],
  };
}
