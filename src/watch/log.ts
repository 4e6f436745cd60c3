// Structured logs for the daemon: one JSON object per line on stdout, so
// journald, jq and log shippers read them without a parser of our own.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
}

export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

/** Lines below `min` are dropped (`--log-level`, default info). */
export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(l + '\n'), min: Level = 'info'): Logger {
  const floor = LEVELS.indexOf(min);
  return {
    log(level, msg, fields = {}) {
      if (LEVELS.indexOf(level) < floor) return;
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
    },
  };
}

/** A text cut to `max` characters (a journald line is 48 KB at most: no field may grow with the topology). */
export const clip = (s: string | undefined, max = 240): string | undefined =>
  s === undefined || s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;

/** An error as one readable line (no stack: operators read these). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Every line of `log` with these fields too (each project's daemon names its project). */
export function withFields(log: Logger, extra: Record<string, unknown>): Logger {
  return { log: (level, msg, fields = {}) => log.log(level, msg, { ...extra, ...fields }) };
}
