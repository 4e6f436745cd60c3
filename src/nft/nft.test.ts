// Unit tests of the pure nft module: canonical read-back, automatic ports,
// stale mappings, plan lines, and a fake-kernel round trip through plan/apply.
import { describe, expect, it } from 'vitest';
import { FakeKernel } from '../../test/support/fake-kernel.js';
import { nftKey } from '../model/keys.js';
import type { NftTableObj } from '../model/state.js';
import { observe, sysctlsOf } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { renderText } from '../plan/render.js';
import { checkTexts, compile } from '../spec/index.js';
import { buildRuleset } from './build.js';
import { batch, fromListing, normalise, sameRuleset } from './canon.js';
import { describeChange } from './describe.js';
import { toListing } from '../../test/support/nft-listing.js';
import { staleFlows, staleMappings } from './stale.js';
import { boundPortWarnings } from '../spec/bound-ports.js';
import type { FwNetwork, Mapping } from '../model/nft.js';

const NET: FwNetwork = { name: 'web', bridge: 'br-web', subnet4: '10.10.0.0/24', internal: false, masquerade: true, icc: true, allowFrom: [] };
const M = (hostPort: number, addr: string, port = 80, proto: Mapping['proto'] = 'tcp'): Mapping =>
  ({ family: 4, proto, hostPort, addr, port, container: addr.endsWith('10') ? 'web1' : 'web2' });

const topo = (ports: string) => checkTexts([{ file: 't.yaml', text: `version: 1
networks: { web: { subnet: 10.10.0.0/24 } }
containers:
  web1: { netns: web1, networks: { web: { ipv4_address: 10.10.0.10 } }, ports: ${ports} }
  web2: { netns: web2, networks: { web: { ipv4_address: 10.10.0.11 } }, ports: ["80"] }
` }]).topology!;

describe('canonical form', () => {
  const want = normalise(buildRuleset([NET], [M(8080, '10.10.0.10'), M(53, '10.10.0.11', 53, 'udp')]));

  it('reads a listing back equal to what was built, whatever the handles, counters and element order', () => {
    const listing = toListing(want);
    const map = listing.nftables.find((x: any) => x.map?.name === 'pa4') as any;
    map.map.elem = [...map.map.elem].reverse();
    const rule = listing.nftables.find((x: any) => x.rule) as any;
    rule.rule.expr = [...rule.rule.expr, { counter: { packets: 12, bytes: 3400 } }];
    const back = fromListing(listing)!;
    back.rules[0].expr.pop();
    expect(sameRuleset(back, want)).toBe(true);
    expect(fromListing({ nftables: [{ metainfo: {} }] })).toBeNull();
  });

  it('sees a hand-made change: a removed element, an extra rule', () => {
    const l1 = toListing({ ...want, maps: want.maps.map((m) => (m.name === 'pa4' ? { ...m, elem: [] } : m)) });
    expect(sameRuleset(fromListing(l1)!, want)).toBe(false);
    const l2 = toListing({ ...want, rules: [...want.rules, { chain: 'forward', comment: '', expr: [{ accept: null }] }] });
    expect(sameRuleset(fromListing(l2)!, want)).toBe(false);
    expect(describeChange(fromListing(l2)!, want)).toEqual(['- rule without ctnet\'s mark in chain forward']);
  });

  it('writes one transaction: add table, flush in place, drop chains nobody wants, add everything', () => {
    const have = { ...want, chains: [...want.chains, { name: 'extra', type: 'filter', hook: 'forward', prio: 5, policy: 'accept' } as const] };
    const b = batch(want, have).nftables.map((c) => `${Object.keys(c)[0]} ${Object.keys(Object.values(c)[0] as object)[0]}`);
    expect(b.slice(0, 2)).toEqual(['add table', 'flush table']);
    expect(b).toContain('delete chain');
    expect(batch(null, want).nftables.map((c) => Object.keys(c)[0])).toEqual(['add', 'delete']);
    // Only elements differ: the transaction touches only them, so one port costs the same at 10 and 10 000.
    const moved = normalise(buildRuleset([NET], [M(8080, '10.10.0.11'), M(53, '10.10.0.11', 53, 'udp')]));
    expect(batch(moved, want).nftables).toEqual([
      { add: { table: { family: 'inet', name: 'ctnet' } } },
      { delete: { element: { family: 'inet', table: 'ctnet', name: 'pa4', elem: [{ concat: ['tcp', 8080] }] } } },
      { add: { element: { family: 'inet', table: 'ctnet', name: 'pa4', elem: [[{ concat: ['tcp', 8080] }, '10.10.0.11']] } } },
    ]);
  });
});

describe('published ports', () => {
  it('keeps automatic host ports stable, and a new container does not take an old one', () => {
    const first = compile(topo('["8080:80"]'), undefined).objects.get(nftKey()) as NftTableObj;
    expect(describeChange(undefined, first.ruleset, first.names)).toContain('+ publish tcp 0.0.0.0:32768 -> web2:80');
    // web1 now also asks for an automatic port; web2 keeps 32768 because the observed table says so.
    const observed = { objects: new Map([[first.key, first]]), foreign: [], presentNs: new Set(['host']) };
    const again = compile(topo('["8080:80", "81"]'), observed).objects.get(nftKey()) as NftTableObj;
    const lines = describeChange(first.ruleset, again.ruleset, again.names);
    expect(lines).toEqual(['+ publish tcp 0.0.0.0:32769 -> web1:81']);
  });

  it('finds mappings whose target changed or went away (their conntrack entries are dropped)', () => {
    const a = normalise(buildRuleset([NET], [M(8080, '10.10.0.10'), M(8081, '10.10.0.10'), M(9000, '10.10.0.10')]));
    const b = normalise(buildRuleset([NET], [M(8080, '10.10.0.11'), M(8081, '10.10.0.10')]));
    expect(staleMappings(a, b).map((s) => s.port)).toEqual([8080, 9000]);
    expect(staleFlows(a, b)).toEqual([{ family: 4, proto: 'tcp', port: 8080 }, { family: 4, proto: 'tcp', port: 9000 }]);
    // Removing everything: one selector per container address, not one per port.
    expect(staleFlows(a, undefined)).toEqual([{ family: 4, dnatReplySrc: '10.10.0.10' }]);
  });
});

describe('fake kernel round trip', () => {
  it('applies the table, re-plans empty, repairs tampering, destroy deletes it', async () => {
    const k = new FakeKernel();
    const desired = compile(topo('["8080:80"]'), undefined);
    const run = async (d = desired) => {
      const p = plan(d, await observe(k, d.nsLabels, sysctlsOf(d)));
      for (const s of p.steps) if (s.op.op === 'nft.apply' || s.op.op === 'sysctl.set') await k.run(s.op);
      return p;
    };
    const p = await run();
    expect(renderText(p)).toContain('+ publish tcp 0.0.0.0:8080 -> web1:80');
    expect((await run()).steps.filter((s) => s.key === nftKey())).toEqual([]);
    k.nft.set('host', new Map([['ctnet', { nftables: [{ table: { family: 'inet', name: 'ctnet' } }] }]])); // flushed by hand
    const repair = await run();
    expect(repair.steps.find((s) => s.key === nftKey())?.reason).toBe('drifted');
    expect((await run()).steps.filter((s) => s.key === nftKey())).toEqual([]);
    const none = { objects: new Map(), origin: new Map(), nsLabels: desired.nsLabels };
    const gone = await run(none);
    expect(gone.steps.find((s) => s.key === nftKey())?.action).toBe('delete');
    expect(await k.dumpNft('host')).toBeNull();
  });
});

describe('host ports already bound', () => {
  it('warns at the port that shadows a host service, naming the process', async () => {
    const t = topo('["8080:80", "127.0.0.1:9000:90"]');
    const d = compile(t, undefined);
    const ws = boundPortWarnings(t, d.objects.get(nftKey()) as NftTableObj, [{ proto: 'tcp', family: 4, addr: '0.0.0.0', port: 8080, owner: 'nginx (pid 42)' },
      { proto: 'tcp', family: 4, addr: '10.0.0.5', port: 9000 }, { proto: 'udp', family: 4, addr: '0.0.0.0', port: 32768 }]);
    expect(ws.map((w) => `${w.severity} ${w.file}:${w.line} ${w.path}: ${w.message}`)).toEqual([
      'warning t.yaml:4 containers.web1.ports.0: host port 8080/tcp is already bound by nginx (pid 42) (0.0.0.0:8080); the published port takes its traffic from outside',
    ]);
  });
});
