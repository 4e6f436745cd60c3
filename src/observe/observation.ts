// What a read of the kernel holds, before conversion to the observed state the
// planner diffs (observe/index.ts fromRaw). Never changed in place: a read of
// some parts returns a new one (read.ts).
import type { NsDump, OwnedNetns, RawHostsFile } from '../kernel/port.js';
import type { NsRef } from '../model/state.js';

export interface Observation {
  dumps: ReadonlyMap<NsRef, NsDump | null>;
  owned: readonly OwnedNetns[];
  files: readonly RawHostsFile[];
  nft: unknown | null;
}
