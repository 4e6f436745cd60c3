// dnsConfigOf: the zones a topology serves, and nothing computed when none does.
import { describe, expect, it } from 'vitest';
import { checkTexts } from '../spec/index.js';
import { dnsConfigOf } from './config.js';

const topology = (dns: boolean) => {
  const text = [
    'version: 1',
    'networks:',
    `  web: { subnet: 10.30.0.0/24, dns: ${dns} }`,
    '  db: { subnet: 10.31.0.0/24 }',
    'containers:',
    '  a: { netns: ta, create: true, networks: { web: { aliases: [api] }, db: {} } }',
    '  b: { netns: tb, create: true, networks: { web: { ipv4_address: 10.30.0.20 } } }',
  ].join('\n');
  const { topology: t, diagnostics } = checkTexts([{ file: 't.yaml', text }]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return t!;
};

describe('dnsConfigOf', () => {
  it('serves the names of the networks with dns on, on their gateways', () => {
    const c = dnsConfigOf(topology(true), undefined, { upstreams: ['10.30.0.1', '192.0.2.53'] });
    expect(c.zones.map((z) => [z.network, z.listen])).toEqual([['web', '10.30.0.1']]);
    const records = c.zones[0].records.map((r) => [r.names, r.ipv4]);
    expect(records).toContainEqual([expect.arrayContaining(['a', 'api']), '10.30.0.2']);
    expect(records).toContainEqual([expect.arrayContaining(['b']), '10.30.0.20']);
    expect(c.upstreams).toEqual(['192.0.2.53']); // never itself
  });

  it('has no zone and keeps every upstream when no network serves names', () => {
    const c = dnsConfigOf(topology(false), undefined, { upstreams: ['10.30.0.1', '192.0.2.53'] });
    expect(c).toEqual({ zones: [], upstreams: ['10.30.0.1', '192.0.2.53'], port: 53 });
  });
});
