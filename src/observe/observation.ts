// What a read of the kernel holds, before conversion to the observed state the
// planner diffs (observe/index.ts fromRaw). Never changed in place: a read of
// some parts returns a new one (read.ts).
import type { NsDump, OwnedNetns, RawFwRule, RawHostsFile, RouteRecord } from '../kernel/port.js';
import type { NsRef } from '../model/state.js';

export interface Observation {
  dumps: ReadonlyMap<NsRef, NsDump | null>;
  owned: readonly OwnedNetns[];
  files: readonly RawHostsFile[];
  /** The listing of the project's own nft table (null: it has none). */
  nft: unknown | null;
  /** The projects of the host's owned routes, where not `default` (read with the host dump). */
  routes: readonly RouteRecord[];
  /** ctnet's rules in Docker's DOCKER-USER chain: read only where the project has or wants some
   *  (`firewall.docker_user`, or the last apply made some); undefined: not read, null: no such chain. */
  fw?: readonly RawFwRule[] | null;
}
