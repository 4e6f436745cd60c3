// Pure: a host port this project would publish that another project already publishes.
// Each project has a table of its own and their prerouting chains run one after the
// other, so the first table to match would take the port's traffic and the other
// project's mapping would silently never answer: refused before any change, naming
// the project. `foreign` holds the other projects' ports (kind 'port'), read from
// their tables only when this project publishes ports (cli/context.ts).
import { nftKey } from '../model/keys.js';
import type { Conflict } from '../model/ops.js';
import type { DesiredState, ForeignObj, NftTableObj } from '../model/state.js';
import { decodePorts } from '../nft/codec.js';
import { isAnyAddress } from '../model/ip.js';

export function portConflicts(desired: DesiredState, foreign: readonly ForeignObj[]): Conflict[] {
  const theirs = foreign.filter((f): f is ForeignObj & { kind: 'port' } => f.kind === 'port');
  if (theirs.length === 0) return [];
  const table = desired.objects.get(nftKey()) as NftTableObj | undefined;
  const out: Conflict[] = [];
  const seen = new Set<string>();
  for (const m of decodePorts(table?.ruleset)) {
    const f = theirs.find((t) => t.proto === m.proto && t.port === m.hostPort && (isAnyAddress(t.hostIp) || isAnyAddress(m.hostIp) || t.hostIp === m.hostIp));
    const id = `${m.proto}/${m.hostPort}`;
    if (!f || seen.has(id)) continue;
    seen.add(id);
    const container = table?.names?.[m.addr] ?? m.addr;
    out.push({
      key: nftKey(),
      message: `host port ${m.hostPort}/${m.proto} of container "${container}" is already published by ctnet project "${f.project}" (to ${f.to})`,
      hint: `publish another host port, or remove it from project "${f.project}"`,
    });
  }
  return out;
}
