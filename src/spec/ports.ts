// Pure: published ports in Docker's short syntax ("[ip:][published:]target[/proto]",
// ranges "9000-9002") or Compose's long form, to one Port shape. The schema has
// already checked the syntax, so this only splits.
import { canonicalIp } from '../model/ip.js';
import type { Port } from './types.js';

function range(v: string | number): [number, number] {
  const [a, b] = String(v).split('-').map(Number);
  return [a, b ?? a];
}

export function parsePort(v: unknown, index: number): Port | undefined {
  if (typeof v === 'number') return { target: [v, v], protocol: 'tcp', index };
  if (typeof v === 'string') {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]:|([0-9.]+):(?=.*:))?(?:(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/.exec(v);
    if (!m) return undefined;
    const ip = m[1] ?? m[2];
    return {
      hostIp: ip ? canonicalIp(ip) ?? ip : undefined,
      published: m[3] ? range(m[3]) : undefined,
      target: range(m[4]),
      protocol: (m[5] as Port['protocol']) ?? 'tcp',
      index,
    };
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, any>;
    return {
      hostIp: o.host_ip ? canonicalIp(o.host_ip) ?? o.host_ip : undefined,
      published: o.published !== undefined ? range(o.published) : undefined,
      target: range(o.target),
      protocol: o.protocol ?? 'tcp',
      index,
    };
  }
  return undefined;
}
