// The embedded DNS server as `ctnet watch` runs it: names of a `dns: true`
// network are served on its gateway once the daemon has converged, and a
// re-addressed container's name follows within the reconcile that moved it,
// without the server being restarted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon, eventually } from './watch-daemon.js';

const GW = '10.234.0.1';
const topo = (bAddr: string) => `
version: 1
networks:
  named: { subnet: 10.234.0.0/24, dns: true }
containers:
  a:
    netns: {P}a
    create: true
    networks: { named: { ipv4_address: 10.234.0.10 } }
  b:
    netns: {P}b
    create: true
    networks: { named: { ipv4_address: ${bAddr}, aliases: [api] } }
`;

describe.skipIf(!isRoot)(rootTitle('ctnet watch serves names'), () => {
  const sbx = new Sandbox('wd');
  let file = '';
  let d: Daemon;
  /** Resolve a name from inside container a, asking the gateway (node's resolver: no dig needed). */
  const resolve4 = (name: string) => sh('node', ['-e', `
    const r = new (require('node:dns').Resolver)({ timeout: 1000, tries: 1 });
    r.setServers(['${GW}']);
    r.resolve4('${name}', (e, a) => console.log(e ? e.code : a.join(',')));`], { ns: `${sbx.prefix}a` }).stdout.trim();

  beforeAll(async () => {
    sbx.create();
    file = sbx.topology('t.yaml', topo('10.234.0.11'));
    d = new Daemon(sbx, ['-f', file, '--resync', '30', '--metrics-listen', 'off']);
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0, 20_000);
  });
  afterAll(() => {
    d?.kill();
    sbx.destroy();
  });

  it('answers container names and aliases on the gateway', async () => {
    expect(await eventually(() => resolve4('b') === '10.234.0.11', 5_000)).toBe(true);
    expect(resolve4('api')).toBe('10.234.0.11');
    // The log says where names are served.
    expect((await d.waitLine((l) => l.msg === 'dns listening', 0, 5_000)).listen).toEqual({ named: `${GW}:53` });
  });

  it('a re-addressed container resolves to its new address after the next reconcile', async () => {
    const mark = d.lines.length;
    writeFileSync(file, topo('10.234.0.21').replaceAll('{P}', sbx.prefix));
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'file' && l.result === 'converged', mark, 15_000);
    expect(await eventually(() => resolve4('b') === '10.234.0.21', 3_000)).toBe(true);
    // the server was updated in place, never restarted
    expect(d.lines.filter((l) => l.msg === 'dns' && /error/i.test(JSON.stringify(l)))).toEqual([]);
  });
});
