// An "outside" machine for firewall tests: a namespace joined to the sandbox host
// by a veth the test makes itself (so it is foreign to ctnet), host end
// 198.51.100.1/24, outside end 198.51.100.2/24.
import { addNetns, sh } from './sandbox.js';

export const HOST_IP = '198.51.100.1';
export const OUTSIDE_IP = '198.51.100.2';

export function makeOutside(hostNs: string, outsideNs: string, link: string): void {
  addNetns(outsideNs);
  sh('ip', ['-n', hostNs, 'link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outsideNs]);
  sh('ip', ['-n', hostNs, 'addr', 'add', `${HOST_IP}/24`, 'dev', link]);
  sh('ip', ['-n', hostNs, 'link', 'set', link, 'up']);
  sh('ip', ['-n', outsideNs, 'addr', 'add', `${OUTSIDE_IP}/24`, 'dev', 'eth0']);
  sh('ip', ['-n', outsideNs, 'link', 'set', 'eth0', 'up']);
}

/** Make the outside namespace send 127.0.0.1 to the host, as an attacker on the LAN can (moby#45610). */
export function routeLoopbackToHost(outsideNs: string): void {
  sh('sysctl', ['-qw', 'net.ipv4.conf.all.route_localnet=1', 'net.ipv4.conf.eth0.route_localnet=1'], { ns: outsideNs });
  sh('ip', ['-n', outsideNs, 'route', 'del', 'table', 'local', 'local', '127.0.0.1', 'dev', 'lo']);
  sh('ip', ['-n', outsideNs, 'route', 'del', 'table', 'local', 'local', '127.0.0.0/8', 'dev', 'lo']);
  sh('ip', ['-n', outsideNs, 'route', 'add', '127.0.0.1/32', 'via', HOST_IP, 'dev', 'eth0']);
}

export function nftText(ns: string, ...what: string[]): string {
  return sh('nft', what.length ? ['list', ...what] : ['list', 'ruleset'], { ns, allowFail: true }).stdout;
}
