// show: a port published by a dual-stack container is one map entry per family in the table, and one line of
// the topology it prints (twice would make `show`'s output an invalid topology).
import { describe, expect, it } from 'vitest';
import { checkTexts, compile } from '../spec/index.js';
import { nftKey } from '../model/keys.js';
import type { NftTableObj } from '../model/state.js';
import { portsOf } from './firewall.js';

describe('show: published ports', () => {
  it('a dual-stack port is shown once', () => {
    const { topology } = checkTexts([{ file: 't.yaml', text: `version: 1
networks: { n: { subnet: 10.60.0.0/24, ipv6_subnet: "fd00:60::/64" } }
containers:
  a: { netns: sa, networks: { n: { ipv4_address: 10.60.0.10, ipv6_address: "fd00:60::10" } }, ports: ["8080:80", "5353:53/udp"] }
` }]);
    const table = compile(topology!, undefined).objects.get(nftKey()) as NftTableObj;
    const owner = (addr: string) => (addr === '10.60.0.10' || addr === 'fd00:60::10' ? 'a' : undefined);
    expect(portsOf(table, owner)).toEqual([{ container: 'a', spec: '5353:53/udp' }, { container: 'a', spec: '8080:80/tcp' }]);
  });
});
