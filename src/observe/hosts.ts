// Pure: the files ctnet manages a block in -> owned objects. A recorded file that
// is gone, or whose block was cut out by hand, reads as an empty block, so the
// planner rewrites it when still desired and forgets it when not.
import type { RawHostsFile } from '../kernel/port.js';
import { extractBlock } from '../model/hosts-block.js';
import { HOST, type HostsFileObj } from '../model/state.js';

export function convertHostsFiles(files: readonly RawHostsFile[]): HostsFileObj[] {
  return files.map((f) => ({
    kind: 'hosts', key: f.key, ns: HOST, path: f.path,
    block: (f.text === null ? undefined : extractBlock(f.text)) ?? '',
    created: f.created,
    ...(f.project !== undefined ? { owner: { project: f.project } } : {}),
  }));
}
