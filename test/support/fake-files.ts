// The file half of FakeKernel: an in-memory file system for hosts/resolv.conf
// blocks, with the real adapter's semantics (kernel/hosts.ts): a record written
// on first write says whether ctnet created the file; delete keeps foreign lines
// and removes the file only when ctnet created it and nothing else is left.
import type { HostsFileObj } from '../../src/model/state.js';
import { mergeBlock, removeBlock } from '../../src/model/hosts-block.js';
import type { RawHostsFile } from '../../src/kernel/port.js';

export class FakeFiles {
  /** path -> text: the test may put foreign files here. */
  readonly files = new Map<string, string>();
  private records = new Map<string, Omit<RawHostsFile, 'text'>>();

  list(): RawHostsFile[] {
    return [...this.records.values()].sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((r) => ({ ...r, text: this.files.get(r.path) ?? null }));
  }

  write(obj: HostsFileObj): void {
    const text = this.files.get(obj.path);
    if (!this.records.has(obj.path)) {
      const rec: Omit<RawHostsFile, 'text'> = { key: obj.key, path: obj.path, created: text === undefined };
      if (text === undefined && obj.header) rec.header = obj.header;
      if (obj.owner?.project) rec.project = obj.owner.project;
      this.records.set(obj.path, rec);
    }
    this.files.set(obj.path, mergeBlock(text, obj.block, text === undefined ? obj.header : undefined));
  }

  delete(obj: HostsFileObj): void {
    const rec = this.records.get(obj.path);
    const text = this.files.get(obj.path);
    if (text !== undefined) {
      const rest = removeBlock(text, rec?.header);
      if (rest.empty && rec?.created) this.files.delete(obj.path);
      else this.files.set(obj.path, rest.text);
    }
    this.records.delete(obj.path);
  }
}
