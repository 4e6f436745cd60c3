// IO only: expand the -f arguments into files and read them. A directory means
// every *.yaml / *.yml directly in it, in name order (TOPOLOGY.md "Files").
// Paths stay as the user wrote them so diagnostics point where they looked.
// Synchronous reads: nothing else runs while a command reads its topology, and node:fs/promises (with the
// streams beneath it) costs ~2 ms of every start to load.
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../errors.js';

export interface SourceFile { file: string; text: string }

/** A topology of 10 000 containers is ~1 MB; a file far larger is a mistake, not a topology. */
export const MAX_BYTES = 64 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function loadFiles(paths: string[]): Promise<{ files: SourceFile[]; diagnostics: Diagnostic[] }> {
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const fail = (file: string, message: string, hint: string) =>
    diagnostics.push({ severity: 'error', file, path: '', message, hint });
  if (paths.length === 0) {
    diagnostics.push({ severity: 'error', path: '', message: 'no topology file given', hint: 'pass one or more -f FILE|DIR' });
  }
  for (const p of paths) {
    if (p === '-') {
      // `-f -`: the topology from standard input (a pipeline's output), named "(stdin)" in diagnostics.
      const text = await readStdin(fail);
      if (text !== undefined) files.push({ file: STDIN, text });
      continue;
    }
    let names: string[];
    try {
      const st = statSync(p);
      if (st.isDirectory()) {
        names = readdirSync(p).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(p, n));
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
        const bytes = readRegular(file, fail);
        if (bytes === undefined) continue;
        let text: string;
        try {
          text = utf8.decode(bytes);
        } catch {
          fail(file, 'is not valid UTF-8', 'save the file as UTF-8: names with other bytes would reach the kernel mangled');
          continue;
        }
        files.push({ file, text });
      } catch (e) {
        fail(file, `cannot read: ${describe(e)}`, 'check the file permissions');
      }
    }
  }
  return { files, diagnostics };
}

/** The bytes of a regular file of at most MAX_BYTES, or undefined (said through `fail`). Only regular files:
 *  a FIFO (or a device) named t.yaml would wait forever. Looked at before it is opened (opening a device can
 *  do something), then opened without waiting and looked at again as opened: a file swapped for a FIFO in
 *  between is refused too. */
function readRegular(file: string, fail: (file: string, message: string, hint: string) => void): Buffer | undefined {
  const notRegular = () => fail(file, 'is not a regular file', 'point -f at topology files (a FIFO, socket or device cannot be read as one)');
  if (!statSync(file).isFile()) { notRegular(); return undefined; }
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      notRegular();
      return undefined;
    }
    if (st.size > MAX_BYTES) {
      fail(file, `is ${st.size} bytes, more than the ${MAX_BYTES} a topology may have`, 'split it, or check that -f names the right file');
      return undefined;
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export const STDIN = '(stdin)';

async function readStdin(fail: (file: string, message: string, hint: string) => void): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > MAX_BYTES) {
      fail(STDIN, `is more than the ${MAX_BYTES} bytes a topology may have`, 'check what is piped into ctnet');
      return undefined;
    }
    chunks.push(c as Buffer);
  }
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    fail(STDIN, 'is not valid UTF-8', 'pipe the topology as UTF-8');
    return undefined;
  }
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String((e as Error)?.message ?? e);
}
