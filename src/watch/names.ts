// The embedded DNS server follows the daemon's passes: started once the gateways
// exist (after the first apply), then updated in place, so names follow addresses
// without dropping sockets.
import { readFileSync } from 'node:fs';
import { dnsConfigOf, parseResolvConf, startDns, type DnsServer } from '../dns/index.js';
import { errorText, type Logger } from './log.js';
import type { Passes } from './passes.js';

export class NameService {
  private dns?: DnsServer;
  private readonly upstreams: string[];

  constructor(private readonly passes: Passes, private readonly log: Logger) {
    this.upstreams = readUpstreams(log);
  }

  /** Serve the names of the last converged pass. */
  async follow(): Promise<void> {
    const { topology, lastObserved } = this.passes;
    if (!topology || !lastObserved) return;
    try {
      const config = dnsConfigOf(topology, lastObserved, { host: this.passes.appliedHost, upstreams: this.upstreams });
      if (!this.dns && config.zones.length === 0) return;
      const before = JSON.stringify([...(this.dns?.listening() ?? [])]);
      if (this.dns) await this.dns.update(config);
      else this.dns = await startDns(config, { log: (msg) => this.log.log('info', 'dns', { msg }) });
      for (const [network, e] of this.dns.errors) this.log.log('error', 'dns', { network, error: e.message });
      // Say where names are served whenever that changes (the first start included).
      const now = [...this.dns.listening()];
      if (JSON.stringify(now) !== before) this.log.log('info', 'dns listening', { listen: Object.fromEntries(now) });
    } catch (err) {
      this.log.log('error', 'dns', { error: errorText(err) });
    }
  }

  async close(): Promise<void> {
    await this.dns?.close();
  }
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
