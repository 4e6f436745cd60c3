// `ctnet watch`: keep the host converged. Wires the triggers (files, rtnetlink
// events in every namespace, nftables events, the netns directory, a resync
// timer, signals) to the scheduler, runs reconcile passes, and reports each one
// as a JSON log line and as metrics. SIGTERM/SIGINT stop after the pass in
// progress and leave the network as it is: a restart never interrupts traffic.
import { watch as fsWatch, type FSWatcher as FsWatcher } from 'node:fs';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { dnsConfigOf, parseResolvConf, startDns, type DnsServer } from '../dns/index.js';
import { prepareNetns } from '../kernel/setns.js';
import { watchFiles } from './files.js';
import { errorText, jsonLogger, type Logger } from './log.js';
import { Metrics, serveMetrics } from './metrics.js';
import { NftEvents } from './nftevents.js';
import { Reconciler, type PassReport } from './reconcile.js';
import { RtEvents } from './rtevents.js';
import { Scheduler, type Trigger } from './scheduler.js';
import { mergeScope } from './scope.js';
import { HOST, type NsRef } from '../model/state.js';

export interface WatchOptions {
  files: string[];
  host?: string;
  resyncSeconds: number;
  metrics?: { host: string; port: number };
  /** Quiet time after the last file event before reloading. */
  debounceMs?: number;
  log?: Logger;
}

const KERNEL_DELAY_MS = 2; // lets the rest of one change's notifications (a link's routes, addresses) arrive
const NETNS_GONE_WAIT_MS = 100;
const RESYNC_CHUNK = 25;

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export async function runWatch(opts: WatchOptions): Promise<number> {
  const log = opts.log ?? jsonLogger();
  await prepareNetns(); // before any event socket is opened inside a namespace
  const reconciler = new Reconciler(opts.files, opts.host);
  const metrics = new Metrics();
  let lastResult: PassReport['result'] | 'pending' = 'pending';
  let lastSuccess: number | undefined;

  let server: Server | undefined;
  if (opts.metrics) {
    // First of all, so a taken port fails the start before anything else is opened.
    server = await serveMetrics(metrics, opts.metrics, () => ({
      healthy: (lastResult === 'converged' || lastResult === 'pending') && (reconciler.filesValid || lastResult === 'pending'),
      detail: { lastResult, filesValid: reconciler.filesValid, lastSuccess: lastSuccess && new Date(lastSuccess).toISOString() },
    }));
    const a = server.address();
    log.log('info', 'metrics listening', { address: typeof a === 'object' && a ? `${a.address}:${a.port}` : String(a) });
  }

  const report = (trigger: Trigger, triggers: Trigger[], ms: number, r: PassReport) => {
    if (r.diagnostics?.length) {
      const level = r.diagnostics.some((d) => d.severity === 'error') ? 'error' : 'warn';
      log.log(level, 'topology', { valid: reconciler.filesValid, files: opts.files, diagnostics: r.diagnostics });
    }
    for (const s of r.repairs) {
      const kind = s.key.split('/')[0];
      metrics.repairs.inc({ kind });
      log.log('info', 'drift repaired', { kind, key: s.key, action: s.action, reason: s.reason, detail: s.detail, trigger });
    }
    metrics.reconciles.inc({ trigger, result: r.result });
    metrics.duration.observe(ms / 1000);
    if (r.result === 'converged') metrics.lastSuccess.set((lastSuccess = Date.now()) / 1000);
    log.log(r.result === 'converged' ? 'info' : 'error', 'reconcile', {
      trigger, triggers, durationMs: Math.round(ms * 10) / 10, scope: r.targeted ? { namespaces: r.targeted.length } : 'full',
      steps: r.steps.map((s) => ({ action: s.action, key: s.key, reason: s.reason, detail: s.detail })),
      result: r.result, ...(r.error ? { error: r.error } : {}),
    });
  };

  // The embedded DNS server follows every pass: started once the gateways exist (after the
  // first apply), then updated in place, so names follow addresses without dropping sockets.
  let dns: DnsServer | undefined;
  const upstreams = readUpstreams(log);
  const serveNames = async () => {
    if (!reconciler.topology || !reconciler.lastObserved) return;
    try {
      const config = dnsConfigOf(reconciler.topology, reconciler.lastObserved, { host: reconciler.appliedHost, upstreams });
      if (!dns && config.zones.length === 0) return;
      if (dns) await dns.update(config);
      else dns = await startDns(config, { log: (msg) => log.log('info', 'dns', { msg }) });
      for (const [network, e] of dns.errors) log.log('error', 'dns', { network, error: e.message });
    } catch (err) {
      log.log('error', 'dns', { error: errorText(err) });
    }
  };

  let rt: RtEvents | undefined;
  let resyncQueue: NsRef[][] = [];
  const scheduler = new Scheduler(async (trigger, triggers, reload, scope) => {
    const t0 = performance.now();
    // Close sockets of vanished namespaces first: they pin them. The kernel then tears the old
    // namespace down asynchronously (its veth ends vanish a few ms later); observing before that
    // would plan to delete links that are about to disappear by themselves. (A pass about one
    // container's links skips this: namespace files changing are their own trigger.)
    const syncNs = scope.full || scope.netns;
    const gone = syncNs ? rt?.sync(reconciler.namespaces()) ?? [] : [];
    if (gone.length) {
      reconciler.release(gone);
      scope = mergeScope(scope, { ns: new Set(gone), netns: true });
      await new Promise((r) => setTimeout(r, NETNS_GONE_WAIT_MS));
    }
    const r = await reconciler.pass(reload, scope);
    // Listen in namespaces the pass created, and in those an edit added (they may exist already).
    const created = r.steps.flatMap((s) => (s.op.op === 'netns.create' ? [s.op.obj.path] : []));
    if (syncNs || r.edited || created.length) rt?.sync(reconciler.namespaces());
    // Nothing listened in a namespace between its creation and now: read it once more, so a change made
    // in that window is not left to the periodic resync.
    if (created.length) scheduler.request('kernel', 0, { scope: { ns: new Set(created) } });
    report(trigger, triggers, performance.now() - t0, r);
    // A pass that held the host to an unchanged desired state serves the same names.
    if (!r.targeted || r.edited) await serveNames();
    lastResult = r.result;
    if (r.result !== 'converged' || !r.targeted) resyncQueue = []; // a full pass read everything; a failure will
    else if (triggers.includes('resync') && resyncQueue.length) scheduler.request('resync', 0, { scope: { ns: new Set(resyncQueue.shift()) } });
    return { ok: r.result === 'converged', retry: r.result === 'failed' || r.result === 'conflict', applied: r.steps.length, ...(r.retry ? { retryScope: r.retry } : {}) };
  }, { onError: (err) => log.log('error', 'reconcile crashed', { error: errorText(err) }) });

  rt = new RtEvents(
    (_ns, _what, scope) => scheduler.request('kernel', KERNEL_DELAY_MS, { scope }),
    () => scheduler.request('resync'), // events were lost: read everything
    log,
  );
  rt.sync([]);
  const nft = new NftEvents((pid) => scheduler.request('nft', KERNEL_DELAY_MS, pid === undefined ? {} : { scope: { nft: true } }), log);
  nft.open();
  // A file change is about whatever the edit changes: the pass compares the new desired state with the last one.
  const files = watchFiles(opts.files, () => scheduler.request('file', opts.debounceMs ?? 150, { reload: true, debounce: true, scope: {} }), log);
  let netnsDir: FsWatcher | undefined;
  try {
    // `ip netns del` of a container namespace sends no rtnetlink event while our socket pins it.
    // /run/netns is machine-wide: only names of our topology's namespaces matter.
    netnsDir = fsWatch('/run/netns', (_event, name) => {
      const path = `/run/netns/${name}`;
      if (name && reconciler.namespaces().includes(path)) scheduler.request('netns', 10, { scope: { ns: new Set([path]), netns: true } });
    });
    netnsDir.on('error', () => undefined);
  } catch { /* no /run/netns yet: the resync timer covers it */ }
  // The periodic resync reads everything again, but as a series of short passes: first the files, the
  // whole host namespace, the nftables table, the namespace list and the hosts files, then RESYNC_CHUNK
  // containers at a time. A repair that comes up meanwhile waits for one of them, not for a read of
  // 1000 namespaces (~1 s).
  const resync = setInterval(() => {
    resyncQueue = chunks(reconciler.namespaces().filter((n) => n !== HOST), RESYNC_CHUNK);
    scheduler.request('resync', 0, { reload: true, scope: { host: true, nft: true, netns: true, files: true } });
  }, opts.resyncSeconds * 1000);

  log.log('info', 'watching', { files: opts.files, resyncSeconds: opts.resyncSeconds, pid: process.pid });
  scheduler.request('start', 0, { reload: true });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGHUP', () => { log.log('info', 'SIGHUP: reloading'); scheduler.request('sighup', 0, { reload: true }); });
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.log('info', 'stopping', { signal });
  clearInterval(resync);
  netnsDir?.close();
  await files.close();
  await scheduler.stop(); // waits for a pass in progress: never leave a half-applied plan
  await reconciler.close();
  rt.close();
  nft.close();
  await dns?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  log.log('info', 'stopped; the network is left in place', { signal });
  return 0;
}

/** Upstream resolvers for names ctnet does not serve: the host's resolv.conf, read once. */
function readUpstreams(log: Logger): string[] {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch (err) {
    log.log('warn', 'dns: no /etc/resolv.conf; other names are refused', { error: errorText(err) });
    return [];
  }
}
