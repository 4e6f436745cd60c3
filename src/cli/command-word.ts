// The command a command line runs, read before commander is loaded: dist/bundle/main.js picks the file to run
// by it (the daemons' daemon.js or the commands' cli.js) and names the command's code cache after it.

/** Options of the program itself (src/cli/main.ts, before the command) that take a value: their value is not
 *  the command. main.ts's options must be here (test: command-word.test.ts runs one before `watch`). */
export const VALUED_GLOBAL_OPTIONS: readonly string[] = ['--docker-host'];

/** The first word that is neither an option nor an option's value ('' when there is none). */
export function commandWord(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1] ?? '';
    if (VALUED_GLOBAL_OPTIONS.includes(a)) { i++; continue; }
    if (!a.startsWith('-')) return a;
  }
  return '';
}

/** The commands that run as daemons: their code (the watch loop, the DNS server, metrics) is in daemon.js,
 *  kept out of the file every other command compiles at its start. */
export const isDaemonCommand = (word: string): boolean => word === 'watch' || word === 'dns';
