// Prometheus metrics and a health endpoint (prom-client). Listens on
// 127.0.0.1:9475 unless told otherwise: the daemon runs as root, so it never
// exposes itself on all interfaces by default.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ListenError, UsageError } from '../errors.js';
import { STATUS_HTML } from './status-page.js';

export { ListenError };

export interface Health { healthy: boolean; detail: Record<string, unknown> }

export class Metrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'ctnet_reconciles_total', help: 'Reconcile passes by trigger and result',
    labelNames: ['trigger', 'result'] as const, registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'ctnet_reconcile_duration_seconds', help: 'Duration of reconcile passes',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly repairs = new Counter({
    name: 'ctnet_drift_repairs_total', help: 'Drifted objects put back, by object kind',
    labelNames: ['kind'] as const, registers: [this.registry],
  });
  readonly isolated = new Gauge({
    name: 'ctnet_isolated_containers', help: 'Containers left out of every pass because their part keeps failing (retried alone, with backoff)',
    labelNames: ['project'] as const, registers: [this.registry],
  });
  readonly waiting = new Gauge({
    name: 'ctnet_waiting_containers', help: 'Containers whose namespace is gone (process or Docker container not running): left out until they run again',
    labelNames: ['project'] as const, registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'ctnet_last_success_timestamp_seconds', help: 'Unix time of the last pass that converged', registers: [this.registry],
  });

  constructor() {
    // Process RSS and CPU make the idle cost visible. The event-loop delay monitor samples every
    // 10 ms by default, which alone keeps an idle daemon waking up 100 times a second.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 1000 });
  }
}

/** "127.0.0.1:9475", "[::1]:9475", "off". */
export function parseListen(s: string): { host: string; port: number } | undefined {
  if (s === 'off') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new UsageError(`--metrics-listen "${s}": expected host:port (e.g. 127.0.0.1:9475), [v6]:port, or off`);
  }
  return { host: m[1] ?? m[2], port };
}

/** `status`: the status page's data (`/status.json`), served with its page at `/`. */
export function serveMetrics(m: Metrics, at: { host: string; port: number }, health: () => Health, status?: () => unknown): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (status && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(STATUS_HTML);
    } else if (status && path === '/status.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(status()));
    } else if (path === '/metrics') {
      m.registry.metrics().then(
        (body) => { res.writeHead(200, { 'content-type': m.registry.contentType }); res.end(body); },
        (err: Error) => { res.writeHead(500); res.end(err.message + '\n'); },
      );
    } else if (path === '/livez') {
      // Liveness: the daemon's event loop answers. Unlike /healthz (readiness: converged, files valid), it stays
      // 200 while the files are merely invalid, so a bad ConfigMap does not get the daemon (and its DNS) restarted.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'alive', uptimeSeconds: Math.round(process.uptime()) }) + '\n');
    } else if (path === '/healthz') {
      const h = health();
      res.writeHead(h.healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: h.healthy ? 'ok' : 'unhealthy', ...h.detail }) + '\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /, /status.json, /metrics, /healthz or /livez\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new ListenError(
      `cannot serve metrics on ${at.host}:${at.port}: ${err.code ?? err.message}`,
      err.code === 'EADDRINUSE' ? 'another process (another ctnet watch?) uses that port: pick one with --metrics-listen host:port, or --metrics-listen off'
        : 'check the address, or pass --metrics-listen off',
    )));
    server.listen(at.port, at.host, () => { server.off('error', reject); resolve(server); });
  });
}
