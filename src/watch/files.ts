// Topology files and directories, watched with chokidar. Only *.yaml / *.yml
// inside watched directories count (what `-f DIR` loads). Editors that save by
// rename are handled by chokidar's atomic mode; the debounce in the scheduler
// turns a burst of writes into one reload.
//
// One chokidar watcher per set of paths in the process, shared by every subscriber (the fleet and each of
// its daemons): two chokidar instances on one file share a kernel watch handle, and after the first save by
// rename only one of them was told, then neither (test/netns/watch-rename.test.ts).
import { watch, type FSWatcher } from 'chokidar';
import { basename, resolve } from 'node:path';
import { errorText, type Logger } from './log.js';

const isTopology = (p: string) => /\.ya?ml$/i.test(p);

type Listener = (path: string, event: string) => void;
interface Shared { watcher: FSWatcher; listeners: Set<Listener> }
const shared = new Map<string, Shared>();

export interface FilesWatch { close(): Promise<void> }

export function watchFiles(paths: string[], onChange: Listener, log: Logger): FilesWatch {
  const id = JSON.stringify(paths.map((p) => resolve(p)).sort());
  let s = shared.get(id);
  if (!s) {
    const listeners = new Set<Listener>();
    s = { watcher: open(paths, (path, event) => { for (const l of [...listeners]) l(path, event); }, log), listeners };
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
        await mine.watcher.close();
      }
    },
  };
}

function open(paths: string[], onChange: Listener, log: Logger): FSWatcher {
  const explicit = new Set(paths.map((p) => resolve(p)));
  const w = watch(paths, { ignoreInitial: true, persistent: true, depth: 0 });
  w.on('all', (event, path) => {
    // A Kubernetes ConfigMap volume updates by swapping its `..data` symlink to a new timestamped directory
    // (kubelet's atomic writer): the `topology.yaml -> ..data/topology.yaml` links themselves never change, so
    // the swap is the only event there is.
    if (basename(path) === '..data') { onChange(path, event); return; }
    if (event === 'addDir') return;
    if (explicit.has(resolve(path)) || isTopology(path)) onChange(path, event);
  });
  w.on('error', (err) => log.log('warn', 'file watcher', { error: errorText(err) }));
  return w;
}
