import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../errors.js';
import { checkTexts } from './index.js';
import { forwardDropWarnings } from './rules-forward.js';

const t = checkTexts([{ file: 'topology.yaml', text: `version: 1
networks:
  web: { subnet: 10.91.0.0/24 }
  six: { ipv6_subnet: "fd00:91::/64" }
containers: {}
` }]).topology!;
const docker = (accepts: { iif?: string; oif?: string }[] = []) => ({ family: 'ip', table: 'filter', chain: 'FORWARD', userChain: 'DOCKER-USER', accepts });

describe('forward chains of others that drop', () => {
  it("says which network Docker's FORWARD policy drops, where, and the exact fix", () => {
    const [w, ...rest] = forwardDropWarnings(t, undefined, [docker()]);
    expect(rest).toEqual([]); // an ip-family chain does not see the IPv6-only network
    expect(formatDiagnostic(w)).toBe(
      'warning: topology.yaml:3:3: networks.web: chain ip filter FORWARD (forward hook, policy drop, not ctnet\'s) drops the traffic of network "web" (bridge br-web): its containers reach the host only, not each other or the outside\n' +
      '  hint: allow the bridge there if that is not meant: Docker keeps user rules in DOCKER-USER: iptables -I DOCKER-USER -i br-web -j ACCEPT && iptables -I DOCKER-USER -o br-web -j ACCEPT (or set `firewall: { docker_user: true }` and ctnet adds and owns those rules)');
  });
  it('is quiet once both directions are accepted, and not before', () => {
    expect(forwardDropWarnings(t, undefined, [docker([{ iif: 'br-web' }, { oif: 'br-web' }])])).toEqual([]);
    expect(forwardDropWarnings(t, undefined, [docker([{ iif: 'br-web' }])])).toHaveLength(1);
    expect(forwardDropWarnings(t, undefined, [docker([{ iif: 'br-web', oif: 'eth0' }, { oif: 'br-web' }])])).toHaveLength(1);
  });
  it('is quiet about Docker\'s chain when ctnet owns the accepts there (firewall.docker_user)', () => {
    const optIn = checkTexts([{ file: 'topology.yaml', text: 'version: 1\nfirewall: { docker_user: true }\nnetworks: { web: { subnet: 10.91.0.0/24 } }\n' }]).topology!;
    expect(forwardDropWarnings(optIn, undefined, [docker()])).toEqual([]);
    expect(forwardDropWarnings(optIn, undefined, [{ family: 'inet', table: 'fw', chain: 'fwd', accepts: [] }])).toHaveLength(1);
  });
  it("an inet chain of the user's applies to every network, with an nft fix", () => {
    const ws = forwardDropWarnings(t, undefined, [{ family: 'inet', table: 'fw', chain: 'fwd', accepts: [] }]);
    expect(ws.map((w) => w.path)).toEqual(['networks.web', 'networks.six']);
    expect(ws[1].hint).toContain('nft insert rule inet fw fwd iifname "br-six" accept && nft insert rule inet fw fwd oifname "br-six" accept');
  });
});
