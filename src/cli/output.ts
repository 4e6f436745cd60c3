// Where commands write. Tests pass a collecting Output instead of the console.
import { colourFor, colourText } from './colour.js';
export interface Output {
  log(line: string): void;
  err(line: string): void;
}

const out = colourFor(process.stdout) ? colourText : (s: string) => s;
const err = colourFor(process.stderr) ? colourText : (s: string) => s;

/** The console: coloured on a terminal (colour.ts), plain when piped or with NO_COLOR. */
export const consoleOutput: Output = {
  log: (l) => process.stdout.write(out(l) + '\n'),
  err: (l) => process.stderr.write(err(l) + '\n'),
};

/** Nothing printed: a command writing one JSON document at the end (`--json`) runs its text output here. */
export const silentOutput: Output = { log: () => undefined, err: () => undefined };
