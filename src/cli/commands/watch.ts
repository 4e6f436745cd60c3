// `ctnet watch -f FILES|DIRS`: the daemon. Validates its own options, then hands
// over to src/watch/daemon.ts, which logs JSON lines on stdout and returns 0
// when stopped by SIGTERM/SIGINT.
import { ListenError, parseListen } from '../../watch/metrics.js';
import { runWatch } from '../../watch/daemon.js';
import type { Output } from '../output.js';

export interface WatchCliOptions { host?: string; resync: string; metricsListen: string; debounce: string }

export async function watchCommand(files: string[], o: WatchCliOptions, out: Output): Promise<number> {
  const resyncSeconds = Number(o.resync);
  const debounceMs = Number(o.debounce);
  let metrics;
  try {
    if (!(resyncSeconds >= 1)) throw new Error(`--resync "${o.resync}": expected a number of seconds (at least 1)`);
    if (!(debounceMs >= 0)) throw new Error(`--debounce "${o.debounce}": expected milliseconds (0 or more)`);
    metrics = parseListen(o.metricsListen);
  } catch (err) {
    out.err(`error: ${(err as Error).message}`);
    return 1;
  }
  try {
    return await runWatch({ files, host: o.host, resyncSeconds, debounceMs, metrics });
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    out.err(`error: ${err.message}\n  hint: ${err.hint}`);
    return 1;
  }
}
