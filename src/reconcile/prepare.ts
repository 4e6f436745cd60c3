// The front half of a full pass: a loaded topology -> the desired state for this
// host, compiled against what the kernel holds (addresses and host ports ctnet
// already assigned stay where they are, without a state file). Reading the host
// comes first because compiling needs it; reconcile() then plans against the same
// observation instead of reading it twice.
import type { Kernel } from '../kernel/port.js';
import type { DesiredState } from '../model/state.js';
import { fromRaw, readAll, type Observation } from '../observe/index.js';
import { compile, forHost, namespacesOf, type Topology } from '../spec/index.js';

export async function prepare(kernel: Kernel, topology: Topology, host: string | undefined): Promise<{ desired: DesiredState; observation: Observation }> {
  const labels = namespacesOf(forHost(topology, host));
  const observation = await readAll(kernel, [...labels.keys()]);
  const desired = compile(topology, fromRaw(observation, labels), { host });
  return { desired, observation };
}
