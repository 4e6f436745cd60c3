// Structured logs for the daemon: one JSON object per line on stdout, so
// journald, jq and log shippers read them without a parser of our own.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  return {
    log(level, msg, fields = {}) {
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
    },
  };
}

/** An error as one readable line (no stack: operators read these). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Every line of `log` with these fields too (each project's daemon names its project). */
export function withFields(log: Logger, extra: Record<string, unknown>): Logger {
  return { log: (level, msg, fields = {}) => log.log(level, msg, { ...extra, ...fields }) };
}
