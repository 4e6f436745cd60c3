// observe(kernel): read the host and every namespace the topology names, then hand
// the raw dumps to the pure converters. The only I/O of observation is here and in
// read.ts (reading again just some parts of the host).
import type { Kernel } from '../kernel/port.js';
import type { DesiredState, NsRef, ObservedState } from '../model/state.js';
import { withOwner } from '../model/keys.js';
import { sysctlsIn } from '../model/slice.js';
import { toObserved } from './convert.js';
import { convertHostsFiles } from './hosts.js';
import { nftFromListing } from '../nft/observe.js';
import { readAll, type Observation } from './read.js';

export { readAll, readParts, readMissingSysctls, pathsByNs, type Observation } from './read.js';
export { observationSlice } from './slice.js';

export async function observe(
  kernel: Kernel,
  labels: Map<NsRef, string>,
  sysctls: { ns: NsRef; path: string }[] = [],
): Promise<ObservedState> {
  return fromRaw(await readAll(kernel, [...labels.keys()], sysctls), labels);
}

/** Pure: what was read -> the observed state the planner diffs. */
export function fromRaw(raw: Observation, labels: Map<NsRef, string>): ObservedState {
  const observed = toObserved([...raw.dumps.values()], labels, raw.owned);
  for (const f of convertHostsFiles(raw.files)) observed.objects.set(f.key, withOwner(f));
  const table = nftFromListing(raw.nft);
  if (table) observed.objects.set(table.key, table);
  return observed;
}

/** The sysctls a desired state manages, so observe() reads their current values. */
export function sysctlsOf(desired: DesiredState): { ns: NsRef; path: string }[] {
  return sysctlsIn(desired);
}
