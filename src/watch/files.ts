// Topology files and directories of `ctnet watch`, watched through inotify (fs.watch) on their directories.
// Only *.yaml / *.yml inside watched directories count (what `-f DIR` loads), plus the files named explicitly.
// The debounce in the scheduler turns a burst of writes into one reload.
//
// Directories, never the files themselves: a file is saved by rename by editors, `sed -i` and config tools, and a
// watch on the file ends with the file it was on. (chokidar, used before, re-arms a watch per file after each
// rename; a save that came in that window was missed, one in a few runs of test/netns/watch-rename.test.ts.)
// A directory's watch sees every write and every rename of its entries, with one inotify watch each.
// One watcher per set of paths in the process, shared by every subscriber (the fleet and each of its daemons).
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errorText, type Logger } from './log.js';

const isTopology = (p: string) => /\.ya?ml$/i.test(p);
const REOPEN_MS = 1000;

type Listener = (path: string, event: string) => void;
interface Shared { close(): void; listeners: Set<Listener> }
const shared = new Map<string, Shared>();

export interface FilesWatch { close(): Promise<void> }

export function watchFiles(paths: string[], onChange: Listener, log: Logger): FilesWatch {
  const id = JSON.stringify(paths.map((p) => resolve(p)).sort());
  let s = shared.get(id);
  if (!s) {
    const listeners = new Set<Listener>();
    s = { close: open(paths, (path, event) => { for (const l of [...listeners]) l(path, event); }, log), listeners };
    shared.set(id, s);
  }
  const mine = s;
  mine.listeners.add(onChange);
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      mine.listeners.delete(onChange);
      if (mine.listeners.size === 0 && shared.get(id) === mine) {
        shared.delete(id);
        mine.close();
      }
    },
  };
}

/** Watches the directories of `paths`; returns the function that stops it. */
function open(paths: string[], onChange: Listener, log: Logger): () => void {
  const files = new Set<string>(), dirs = new Set<string>();
  for (const p of paths.map((x) => resolve(x))) {
    let isDir = false;
    try { isDir = statSync(p).isDirectory(); } catch { /* not there yet: watched as a file of its directory */ }
    if (isDir) dirs.add(p); else files.add(p);
  }
  const wanted = (dir: string, name: string) => {
    const p = join(dir, name);
    // A Kubernetes ConfigMap volume updates by swapping its `..data` symlink to a new timestamped directory
    // (kubelet's atomic writer): the `topology.yaml -> ..data/topology.yaml` links themselves never change, so
    // the swap is the only event there is.
    return files.has(p) || (dirs.has(dir) && (isTopology(name) || name === '..data'));
  };
  const watchers = new Map<string, FSWatcher>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const watchDir = (dir: string) => {
    if (stopped) return;
    try {
      const w = watch(dir, { persistent: true }, (event, name) => {
        if (name && wanted(dir, String(name))) onChange(join(dir, String(name)), event);
      });
      w.on('error', (err) => {
        // The directory went away (or was replaced): watch it again once it is back, and say something may have changed.
        w.close();
        watchers.delete(dir);
        log.log('warn', 'file watcher', { dir, error: errorText(err) });
        const t = setTimeout(() => { timers.delete(t); watchDir(dir); onChange(dir, 'rewatch'); }, REOPEN_MS);
        timers.add(t);
      });
      watchers.set(dir, w);
    } catch (err) {
      log.log('warn', 'file watcher', { dir, error: errorText(err) });
      const t = setTimeout(() => { timers.delete(t); watchDir(dir); }, REOPEN_MS);
      timers.add(t);
    }
  };
  for (const dir of new Set([...dirs, ...[...files].map((f) => dirname(f))])) watchDir(dir);
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
}

