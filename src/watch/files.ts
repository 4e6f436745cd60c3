// Topology files and directories, watched with chokidar. Only *.yaml / *.yml
// inside watched directories count (what `-f DIR` loads). Editors that save by
// rename are handled by chokidar's atomic mode; the debounce in the scheduler
// turns a burst of writes into one reload.
import { watch, type FSWatcher } from 'chokidar';
import { basename, resolve } from 'node:path';
import { errorText, type Logger } from './log.js';

const isTopology = (p: string) => /\.ya?ml$/i.test(p);

export function watchFiles(paths: string[], onChange: (path: string, event: string) => void, log: Logger): FSWatcher {
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
