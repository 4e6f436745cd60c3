// The front half of a full pass: a loaded topology -> the desired state for this
// host, compiled against what the kernel holds (addresses and host ports ctnet
// already assigned stay where they are, without a state file). Reading the host
// comes first because compiling needs it; reconcile() then plans against the same
// observation instead of reading it twice.
import type { Kernel } from '../kernel/port.js';
import { projectOf, type DesiredState, type ForeignObj } from '../model/state.js';
import { kindOfKey, nftKey } from '../model/keys.js';
import { decodePorts } from '../nft/codec.js';
import { otherProjectsPorts } from '../observe/projects.js';
import { fromRaw, readAll, type Observation } from '../observe/index.js';
import type { Converted } from './index.js';
import { compile, forHost, namespacesOf, type CompileMemo, type Topology } from '../spec/index.js';

/** `neighbours`: what other projects have that this one could run into and the host read does not
 *  show (the host ports they publish), read only when this project publishes ports. */
export async function prepare(
  kernel: Kernel, topology: Topology, host: string | undefined,
  /** What the last verified apply asked for, where the caller has read it already (kernel.readApplied; {}: none). */
  applied?: Readonly<Record<string, string>>,
  /** Kept by a caller that compiles again after this (`ctnet watch`): see spec/compile.ts. */
  memo?: CompileMemo,
): Promise<{ desired: DesiredState; observation: Observation; converted: Converted; neighbours: ForeignObj[] }> {
  const mine = forHost(topology, host);
  const labels = namespacesOf(mine);
  // Docker's DOCKER-USER chain is read where the project wants rules there, or its last apply made some.
  const made = applied ?? (topology.firewall?.dockerUser ? undefined : await kernel.readApplied(topology.project));
  const fw = topology.firewall?.dockerUser === true || Object.keys(made ?? {}).some((k) => kindOfKey(k) === 'fwaccept');
  // Other projects' ports are read beside the host where this project asks for ports (two `nft` processes, one
  // after the other, that would otherwise wait for compile); the compiled table decides whether they are used.
  const early = [...mine.containers.values()].some((c) => c.ports.length > 0) ? otherProjectsPorts(kernel, topology.project) : undefined;
  early?.catch(() => undefined); // not asked for below when nothing compiled to a published port
  const observation = await readAll(kernel, [...labels.keys()], [], topology.project, fw);
  const observed = fromRaw(observation, labels, topology.project);
  const desired = compile(topology, observed, { host, memo });
  return { desired, observation, converted: { labels, observed }, neighbours: await neighboursOf(kernel, desired, early) };
}

/** What other projects publish, where desired publishes ports itself (`read`: that read, started already). */
export async function neighboursOf(kernel: Kernel, desired: DesiredState, read?: Promise<ForeignObj[]>): Promise<ForeignObj[]> {
  const table = desired.objects.get(nftKey());
  const publishes = table?.kind === 'nft' && decodePorts(table.ruleset).length > 0;
  return publishes ? read ?? otherProjectsPorts(kernel, projectOf(desired)) : [];
}
