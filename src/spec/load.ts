// IO only: expand the -f arguments into files and read them. A directory means
// every *.yaml / *.yml directly in it, in name order (TOPOLOGY.md "Files").
// Paths stay as the user wrote them so diagnostics point where they looked.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../errors.js';

export interface SourceFile { file: string; text: string }

export async function loadFiles(paths: string[]): Promise<{ files: SourceFile[]; diagnostics: Diagnostic[] }> {
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const fail = (file: string, message: string, hint: string) =>
    diagnostics.push({ severity: 'error', file, path: '', message, hint });
  if (paths.length === 0) {
    diagnostics.push({ severity: 'error', path: '', message: 'no topology file given', hint: 'pass one or more -f FILE|DIR' });
  }
  for (const p of paths) {
    let names: string[];
    try {
      const st = await stat(p);
      if (st.isDirectory()) {
        names = (await readdir(p)).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(p, n));
        if (names.length === 0) fail(p, 'directory holds no *.yaml or *.yml file', 'point -f at a topology file or a directory of them');
      } else {
        names = [p];
      }
    } catch (e) {
      fail(p, `cannot read: ${describe(e)}`, 'check the path given with -f');
      continue;
    }
    for (const file of names) {
      try {
        files.push({ file, text: await readFile(file, 'utf8') });
      } catch (e) {
        fail(file, `cannot read: ${describe(e)}`, 'check the file permissions');
      }
    }
  }
  return { files, diagnostics };
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String((e as Error)?.message ?? e);
}
