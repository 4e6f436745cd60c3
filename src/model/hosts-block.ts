// Pure text handling of ctnet's marked block in a hosts or resolv.conf file.
// ctnet owns only the lines between the markers; everything else in the file is
// the operator's (or another tool's) and is kept byte for byte.

export const BEGIN = '# BEGIN ctnet (managed, do not edit)';
export const END = '# END ctnet';

/** The usual lines of a fresh /etc/hosts (Debian's), written when ctnet creates a hosts file. */
export const LOCALHOST_LINES = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback';

interface Split { before: string[]; block: string[] | undefined; after: string[] }

function split(text: string): Split {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const b = lines.indexOf(BEGIN);
  const e = b < 0 ? -1 : lines.indexOf(END, b + 1);
  // A BEGIN without END (a hand edit cut it) is treated as running to the end of the file.
  if (b < 0) return { before: lines, block: undefined, after: [] };
  const stop = e < 0 ? lines.length : e;
  return { before: lines.slice(0, b), block: lines.slice(b + 1, stop), after: lines.slice(e < 0 ? lines.length : e + 1) };
}

const join = (lines: string[]) => (lines.length ? lines.join('\n') + '\n' : '');

/** The lines of ctnet's block, or undefined when the file has none. */
export function extractBlock(text: string): string | undefined {
  return split(text).block?.join('\n');
}

/** The file with ctnet's block set to `block`. An existing block is replaced where it stands;
 *  otherwise the block goes first (a container's names and ctnet's nameserver should win over
 *  older entries), after `header` when the file is new (`text` undefined). */
export function mergeBlock(text: string | undefined, block: string, header?: string): string {
  const ours = [BEGIN, ...(block === '' ? [] : block.split('\n')), END];
  if (text === undefined) return join([...(header ? header.split('\n') : []), ...ours]);
  const s = split(text);
  if (s.block === undefined) return join([...ours, ...s.before]);
  return join([...s.before, ...ours, ...s.after]);
}

/** The file without ctnet's block; `empty` when nothing of anyone else's is left in it (only
 *  blank lines, or the `header` ctnet itself wrote when it created the file). */
export function removeBlock(text: string, header?: string): { text: string; empty: boolean } {
  const s = split(text);
  const rest = [...s.before, ...s.after];
  const meaningful = rest.filter((l) => l.trim() !== '').join('\n');
  return { text: join(rest), empty: meaningful === '' || (header !== undefined && meaningful === header) };
}
