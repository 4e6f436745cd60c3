// `ctnet watch`: serve metrics first (a taken port fails the start before anything else is opened),
// start a daemon per project (fleet.ts), run until SIGTERM/SIGINT, then stop after the passes in
// progress and leave the network as it is: a restart never interrupts traffic.
import type { Server } from 'node:http';
import { prepareNetns } from '../kernel/setns.js';
import type { WatchOptions } from './daemon.js';
import { Fleet } from './fleet.js';
import { jsonLogger } from './log.js';
import { serveMetrics } from './metrics.js';

export async function runWatch(opts: WatchOptions): Promise<number> {
  const log = opts.log ?? jsonLogger();
  await prepareNetns(); // before any event socket is opened inside a namespace
  const fleet = new Fleet(opts, log);
  let server: Server | undefined;
  if (opts.metrics) {
    // First of all, so a taken port fails the start before anything else is opened.
    server = await serveMetrics(fleet.metrics, opts.metrics, () => fleet.health(), () => fleet.status());
    const a = server.address();
    log.log('info', 'metrics listening', { address: typeof a === 'object' && a ? `${a.address}:${a.port}` : String(a) });
  }
  try {
    await fleet.start();
  } catch (err) {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    throw err;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.log('info', 'stopping', { signal });
  await fleet.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  log.log('info', 'stopped; the network is left in place', { signal });
  return 0;
}

