// `ctnet dns -f FILES [--resolv-conf PATH]`: only the embedded DNS server, in the
// foreground, for networks with `dns: true` (the watch daemon runs the same
// server). Reads the kernel once for the addresses apply assigned; SIGHUP
// re-reads the files and the kernel and swaps the answers without closing the
// sockets; SIGTERM/SIGINT stop it. Must run in the host namespace it serves.
import { readFileSync } from 'node:fs';
import { SpecError, UsageError } from '../errors.js';
import { dnsConfigOf, parseResolvConf, startDns, type DnsConfig } from '../dns/index.js';
import { createKernel } from '../kernel/index.js';
import { observe } from '../observe/index.js';
import { loadTopology, namespacesOf } from '../spec/index.js';
import type { Output } from './output.js';

export interface DnsCliOptions { host?: string; resolvConf: string; port: string }

async function configFrom(files: string[], o: DnsCliOptions): Promise<DnsConfig> {
  const { topology, diagnostics } = await loadTopology(files);
  if (!topology) throw new SpecError(diagnostics);
  let upstreams: string[] = [];
  try { upstreams = parseResolvConf(readFileSync(o.resolvConf, 'utf8')); } catch { /* no resolv.conf: REFUSED for other names */ }
  const kernel = await createKernel();
  try {
    const observed = await observe(kernel, namespacesOf(topology));
    return dnsConfigOf(topology, observed, { host: o.host, upstreams, port: Number(o.port) });
  } finally {
    await kernel.close();
  }
}

export async function dnsCommand(files: string[], o: DnsCliOptions, out: Output): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port "${o.port}": expected a port number (1-65535)`);
  const server = await startDns(await configFrom(files, o), { log: (m) => out.err(m) });
  const report = () => {
    for (const [net, at] of server.listening()) out.log(`dns: network "${net}" on ${at} (udp, tcp)`);
    for (const [net, e] of server.errors) out.err(`error: dns: network "${net}": ${e.message}`);
  };
  report();
  if (server.listening().size === 0 && server.errors.size === 0) out.log('dns: no network has `dns: true`; nothing to serve');
  await new Promise<void>((resolve) => {
    process.on('SIGHUP', () => {
      configFrom(files, o).then((c) => server.update(c)).then(() => { out.log('dns: reloaded'); report(); },
        (e) => out.err(`error: dns: reload: ${(e as Error).message}`));
    });
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await server.close();
  return server.errors.size ? 1 : 0;
}
