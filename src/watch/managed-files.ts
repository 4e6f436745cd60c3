// The hosts files and resolv.conf files ctnet manages a block in, watched for edits
// by others (inotify through fs.watch). A file is replaced by rename when ctnet (or
// an editor) writes it, which ends a watch on the file itself, so each file's
// directory is watched instead: a handful of directories under /etc/netns, one
// inotify watch each. An event names its container's part and the files part.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { containerOfKey } from '../model/keys.js';
import { ctrPart, type Parts } from '../model/parts.js';
import type { DesiredState } from '../model/state.js';

export class ManagedFiles {
  private readonly dirs = new Map<string, FSWatcher>();
  /** directory -> file name -> the container it belongs to */
  private files = new Map<string, Map<string, string>>();

  constructor(private readonly onChange: (parts: Parts) => void, private readonly warn: (msg: string, fields: Record<string, unknown>) => void) {}

  /** Watch exactly the files this desired state manages. */
  sync(desired: DesiredState | undefined): void {
    const files = new Map<string, Map<string, string>>();
    for (const o of desired?.objects.values() ?? []) {
      if (o.kind !== 'hosts') continue;
      const dir = dirname(o.path);
      (files.get(dir) ?? files.set(dir, new Map()).get(dir)!).set(basename(o.path), o.owner?.container ?? containerOfKey(o.key) ?? '');
    }
    this.files = files;
    for (const [dir, w] of this.dirs) if (!files.has(dir)) { w.close(); this.dirs.delete(dir); }
    for (const dir of files.keys()) if (!this.dirs.has(dir)) this.open(dir);
  }

  private open(dir: string): void {
    try {
      const w = watch(dir, (_event, name) => {
        const container = name ? this.files.get(dir)?.get(String(name)) : undefined;
        if (container !== undefined) this.onChange(new Set(['files', ctrPart(container)]));
      });
      w.on('error', () => { w.close(); this.dirs.delete(dir); }); // the directory went: the next sync opens it again
      this.dirs.set(dir, w);
    } catch (err) {
      // Not there yet (the pass that writes the file makes it): the next sync tries again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn('managed files: cannot watch', { dir, error: (err as Error).message });
    }
  }

  close(): void {
    for (const w of this.dirs.values()) w.close();
    this.dirs.clear();
  }
}
