// `ctnet watch -f FILES|DIRS`: the daemon. Validates its own options, then hands
// over to src/watch/daemon.ts, which logs JSON lines on stdout and returns 0
// when stopped by SIGTERM/SIGINT.
import { parseListen } from '../../watch/metrics.js';
import { runWatch } from '../../watch/daemon.js';

export interface WatchCliOptions { host?: string; resync: string; metricsListen: string; debounce: string }

export async function watchCommand(files: string[], o: WatchCliOptions): Promise<number> {
  const resyncSeconds = Number(o.resync);
  if (!(resyncSeconds >= 1)) throw new Error(`--resync "${o.resync}": expected a number of seconds (at least 1)`);
  const debounceMs = Number(o.debounce);
  if (!(debounceMs >= 0)) throw new Error(`--debounce "${o.debounce}": expected milliseconds (0 or more)`);
  return runWatch({ files, host: o.host, resyncSeconds, debounceMs, metrics: parseListen(o.metricsListen) });
}
