// Which project a file belongs to, without validating it: `destroy -f` needs only the name, and
// `ctnet watch -f DIR` groups the files of a directory into projects before validating each group
// (one invalid file must not make a project vanish from the daemon, which would destroy it).
//   a file's project is its `name:`; a file without one joins the project the other files name when
//   they name exactly one (as `apply -f` merges them), else it is `default`.
import { DEFAULT_PROJECT } from '../model/keys.js';
import { checkRead, loadFiles } from './index.js';
import type { SourceFile } from './load.js';

const NAME = /^name:[ \t]*(["']?)([A-Za-z0-9_.-]{1,63})\1[ \t]*(#.*)?$/m;

/** The top-level `name:` of a file's text, read leniently (the file may be invalid otherwise). */
export function nameOfText(text: string): string | undefined {
  return NAME.exec(text)?.[2];
}

export function groupByProject<F extends SourceFile>(files: readonly F[]): Map<string, F[]> {
  const names = files.map((f) => nameOfText(f.text));
  const named = new Set(names.filter((n): n is string => n !== undefined));
  const lone = named.size === 1 ? [...named][0] : DEFAULT_PROJECT;
  const out = new Map<string, F[]>();
  files.forEach((f, i) => {
    const p = names[i] ?? lone;
    (out.get(p) ?? out.set(p, []).get(p)!).push(f);
  });
  return out;
}

/** The project a set of files names (validated like `apply` when it can be, else leniently). */
export async function projectOfFiles(files: string[]): Promise<string> {
  const read = await loadFiles(files);
  const { topology } = checkRead(read);
  if (topology) return topology.project;
  const groups = [...groupByProject(read.files).keys()];
  return groups.length === 1 ? groups[0] : DEFAULT_PROJECT;
}
