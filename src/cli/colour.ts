// Colour for people, never for programs: only when the stream is a terminal and NO_COLOR
// (https://no-color.org) is not set. Lines are coloured by what they start with, so the
// renderers stay plain text (and the golden files stay readable).
const SGR = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
const paint = (code: number, s: string) => `\x1b[${code}m${s}\x1b[0m`;

export function colourFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** One line of ctnet's text output, coloured by its shape. */
export function colourLine(line: string): string {
  const m = /^( {0,2})(-\/\+|[+~-]) (.*)$/.exec(line);
  if (m) return m[1] + paint(m[2] === '+' ? SGR.green : m[2] === '~' ? SGR.yellow : SGR.red, `${m[2]} ${m[3]}`);
  if (line.startsWith('error:')) return paint(SGR.red, 'error:') + line.slice('error:'.length);
  if (line.startsWith('warning:')) return paint(SGR.yellow, 'warning:') + line.slice('warning:'.length);
  if (/^\s+hint:/.test(line)) return paint(SGR.dim, line);
  if (/^(Plan:|Applied|Destroyed|No changes)/.test(line)) return paint(SGR.bold, line);
  return line;
}

export const colourText = (text: string) => text.split('\n').map(colourLine).join('\n');
