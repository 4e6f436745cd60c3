// `ctnet watch -f FILES|DIRS`: the daemon. Validates its own options, then hands
// over to src/watch/run.ts, which logs JSON lines on stdout and returns 0
// when stopped by SIGTERM/SIGINT.
import { UsageError } from '../errors.js';
import { parseListen } from '../watch/metrics.js';
import { runWatch } from '../watch/run.js';
import { jsonLogger, LEVELS, type Level } from '../watch/log.js';
import type { Output } from './output.js';

export interface WatchCliOptions { host?: string; resync: string; metricsListen: string; debounce: string; logLevel?: string }

export async function watchCommand(files: string[], o: WatchCliOptions, _out: Output): Promise<number> {
  if (files.includes('-')) throw new UsageError('watch reads its topology from files it can watch: -f - (standard input) is for one-shot commands');
  const resyncSeconds = Number(o.resync);
  const debounceMs = Number(o.debounce);
  if (!(resyncSeconds >= 1)) throw new UsageError(`--resync "${o.resync}": expected a number of seconds (at least 1)`);
  if (!(debounceMs >= 0)) throw new UsageError(`--debounce "${o.debounce}": expected milliseconds (0 or more)`);
  const metrics = parseListen(o.metricsListen); // a ListenError reads like any operator error
  const level = (o.logLevel ?? 'info') as Level;
  if (!LEVELS.includes(level)) throw new UsageError(`--log-level "${o.logLevel}": expected one of ${LEVELS.join(', ')}`);
  return runWatch({ files, host: o.host, resyncSeconds, debounceMs, metrics, log: jsonLogger(undefined, level) });
}
