// Where commands write. Tests pass a collecting Output instead of the console.
//
// The console is written with write(2) on file descriptors 1 and 2, not through process.stdout and
// process.stderr: those are streams Node builds at their first use (a file's SyncWriteStream, a pipe's
// socket, a terminal's tty, each with the stream machinery beneath it), ~40 of Node's modules compiled
// at every start of a command that prints a line (measured on Node 22: `validate` of the quickstart
// 5–6 ms less). Node writes to files, pipes and terminals synchronously on Linux anyway: the order of
// what is written and the exit after it are the same.
import { fstatSync, writeSync } from 'node:fs';
import { colourFor, colourText } from './colour.js';
export interface Output {
  log(line: string): void;
  err(line: string): void;
}

/** A terminal is a character device; so are /dev/null and its kind, where colour costs nothing (nobody
 *  reads it). Asking tty.isatty() would load node:tty, and with it node:net and the streams. */
function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false; // closed
  }
}

/** A descriptor the reader went away from (EPIPE: `ctnet plan | head`) is written no more: what is left
 *  is dropped, as a stream would, instead of failing the command. */
const gone = new Set<number>();
/** A pipe left non-blocking by the process that made it fills up: wait for the reader, a millisecond at a time. */
const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeAll(fd: number, text: string): void {
  if (gone.has(fd)) return;
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
      if (code === 'EPIPE' || code === 'EBADF') { gone.add(fd); return; }
      throw e;
    }
  }
}

const out = colourFor({ isTTY: isTerminal(1) }) ? colourText : (s: string) => s;
const err = colourFor({ isTTY: isTerminal(2) }) ? colourText : (s: string) => s;

/** The console: coloured on a terminal (colour.ts), plain when piped or with NO_COLOR. */
export const consoleOutput: Output = {
  log: (l) => writeAll(1, out(l) + '\n'),
  err: (l) => writeAll(2, err(l) + '\n'),
};

/** Nothing printed: a command writing one JSON document at the end (`--json`) runs its text output here. */
export const silentOutput: Output = { log: () => undefined, err: () => undefined };
