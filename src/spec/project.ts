// The project a set of files names, for commands that need only that (`destroy -f`, and the daemon
// about to lock the project it manages): their `name:` even when something else in them is invalid,
// else `default`.
import { DEFAULT_PROJECT } from '../model/keys.js';
import { checkRead, loadFiles } from './index.js';

export async function projectOfFiles(files: string[]): Promise<string> {
  const read = await loadFiles(files);
  const { topology } = checkRead(read);
  if (topology) return topology.project;
  for (const f of read.files) {
    const m = /^name:\s*["']?([A-Za-z0-9_.-]{1,63})["']?\s*(#.*)?$/m.exec(f.text);
    if (m) return m[1];
  }
  return DEFAULT_PROJECT;
}
