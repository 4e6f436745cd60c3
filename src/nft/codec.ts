// The one place that knows how ctnet's table encodes what it means, and decodes
// it back: published ports as map elements (`pa4`/`pp4`: every host address,
// keyed by `l4proto . dport`; `sa4`/`sp4`: one host address, keyed by `daddr .
// l4proto . dport`; `…6` for IPv6) and each rule's intent as its comment. The
// pairs are exact inverses (tested): builders encode, and everything that reads a
// table back (stable host ports, conntrack cleanup, bound-port warnings, plan
// lines, `ctnet show`) decodes, instead of picking maps and comments apart.
import { OWNER_PREFIX } from '../model/keys.js';
import type { MapSpec, Mapping, Ruleset } from '../model/nft.js';

/** A published port as the maps hold it (they key by container address, not by name). */
export type PortEntry = Omit<Mapping, 'container'>;

const addrType = (f: 4 | 6) => (f === 4 ? 'ipv4_addr' : 'ipv6_addr');
const PORT_KEY = ['inet_proto', 'inet_service'];

export function encodePorts(mappings: PortEntry[]): MapSpec[] {
  const out: MapSpec[] = [];
  for (const f of [4, 6] as const) {
    const mine = mappings.filter((m) => m.family === f);
    const wild = mine.filter((m) => m.hostIp === undefined);
    const one = mine.filter((m) => m.hostIp !== undefined);
    const wkey = (m: PortEntry) => ({ concat: [m.proto, m.hostPort] });
    const skey = (m: PortEntry) => ({ concat: [m.hostIp, m.proto, m.hostPort] });
    // Unsorted here: normalise() sorts the elements once.
    const mk = (name: string, type: string[], data: string, list: PortEntry[], key: (m: PortEntry) => unknown, val: (m: PortEntry) => unknown): MapSpec =>
      ({ name, type, map: data, elem: list.map((m) => [key(m), val(m)] as [unknown, unknown]) });
    out.push(
      mk(`pa${f}`, PORT_KEY, addrType(f), wild, wkey, (m) => m.addr),
      mk(`pp${f}`, PORT_KEY, 'inet_service', wild, wkey, (m) => m.port),
      mk(`sa${f}`, [addrType(f), ...PORT_KEY], addrType(f), one, skey, (m) => m.addr),
      mk(`sp${f}`, [addrType(f), ...PORT_KEY], 'inet_service', one, skey, (m) => m.port),
    );
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A map element's key as a string to match on: its concatenated parts joined, numbers told from strings
 *  (protocols, addresses and ports have no NUL), anything else as JSON. JSON.stringify of each key was most of decoding 1000 ports. */
function elemKey(k: unknown): string {
  const parts = (k as { concat?: unknown[] } | null)?.concat;
  return Array.isArray(parts) && parts.every((p) => typeof p === 'string' || typeof p === 'number')
    ? `c${parts.map((p) => (typeof p === 'number' ? `\u0000n${p}` : `\u0000s${p}`)).join('')}` : JSON.stringify(k);
}

/** Every published port of a ruleset, in map order (an address element without its port is skipped). */
export function decodePorts(r: Ruleset | null | undefined): PortEntry[] {
  if (!r) return [];
  const maps = new Map(r.maps.map((m) => [m.name, m]));
  const out: PortEntry[] = [];
  // In map-name order (pa4, pa6, sa4, sa6): plan lines list ports in it.
  for (const kind of ['p', 's'] as const) {
    for (const f of [4, 6] as const) {
      const addrs = maps.get(`${kind}a${f}`);
      const ports = new Map((maps.get(`${kind}p${f}`)?.elem ?? []).map(([k, v]) => [elemKey(k), v]));
      for (const [k, addr] of addrs?.elem ?? []) {
        const port = ports.get(elemKey(k));
        if (port === undefined) continue;
        const parts = (k as { concat?: unknown[] }).concat ?? [];
        const [hostIp, proto, hostPort] = kind === 's' ? parts : [undefined, ...parts];
        const e: PortEntry = { family: f, proto: String(proto) as PortEntry['proto'], hostPort: Number(hostPort), addr: String(addr), port: Number(port) };
        if (hostIp !== undefined) e.hostIp = String(hostIp);
        out.push(e);
      }
    }
  }
  return out;
}

/** What a rule is for. The comment a rule carries is commentOf(intent), and intentOf() reads it back. */
export type Intent =
  | { kind: 'replies' }
  | { kind: 'no-masquerade-to-peer'; subnet: string }
  | { kind: 'loopback-only'; family: 4 | 6 }
  | { kind: 'publish'; family: 4 | 6; on: 'one' | 'every'; fromHost: boolean }
  | { kind: 'publish-localhost'; bridge: string }
  | { kind: 'localhost-guard'; bridge: string }
  | { kind: 'masquerade'; network: string; subnet: string }
  | { kind: 'hairpin'; network: string; family: 4 | 6 }
  | { kind: 'internal'; network: string; way: 'leaves' | 'enters' }
  | { kind: 'published-ports'; network: string }
  | { kind: 'icc'; network: string; on: boolean }
  | { kind: 'allow'; network: string; from: string }
  | { kind: 'allow-peer'; network: string; subnet: string }
  | { kind: 'isolate'; network: string };

/** The rule's comment: ctnet's mark and the intent in the user's words (plan lines show it). */
export function commentOf(i: Intent): string {
  return OWNER_PREFIX + wordsOf(i);
}

function wordsOf(i: Intent): string {
  switch (i.kind) {
    case 'replies': return 'replies of allowed connections';
    case 'no-masquerade-to-peer': return `no masquerade to peer subnet ${i.subnet}`;
    case 'loopback-only': return `loopback-only ports are not reachable from outside (ipv${i.family})`;
    case 'publish': return `publish on ${i.on === 'one' ? 'one host address' : 'every host address'}${i.fromHost ? ', from the host' : ''} (ipv${i.family})`;
    case 'publish-localhost': return `publish on 127.0.0.1 via ${i.bridge}`;
    case 'localhost-guard': return `nothing from ${i.bridge} reaches the host's 127.0.0.0/8`;
    case 'masquerade': return `masquerade ${i.subnet} (${i.network})`;
    case 'hairpin': return `hairpin ${i.network} (ipv${i.family})`;
    case 'internal': return `internal ${i.network}: nothing ${i.way}`;
    case 'published-ports': return `published ports of ${i.network}`;
    case 'icc': return i.on ? `icc ${i.network}` : `icc off ${i.network}`;
    case 'allow': return `allow ${i.network} from ${i.from}`;
    case 'allow-peer': return `allow ${i.network} from peer subnet ${i.subnet}`;
    case 'isolate': return `isolate ${i.network}`;
  }
}

// Network names are schema-checked identifiers, bridges Linux interface names, subnets CIDR text:
// none contains a space, so every field is one `\S+` and the grammar below is unambiguous.
const GRAMMAR: [RegExp, (m: string[]) => Intent][] = [
  [/^replies of allowed connections$/, () => ({ kind: 'replies' })],
  [/^no masquerade to peer subnet (\S+)$/, (m) => ({ kind: 'no-masquerade-to-peer', subnet: m[1] })],
  [/^loopback-only ports are not reachable from outside \(ipv([46])\)$/, (m) => ({ kind: 'loopback-only', family: fam(m[1]) })],
  [/^publish on (one|every) host address(, from the host)? \(ipv([46])\)$/,
    (m) => ({ kind: 'publish', family: fam(m[3]), on: m[1] as 'one' | 'every', fromHost: m[2] !== undefined })],
  [/^publish on 127\.0\.0\.1 via (\S+)$/, (m) => ({ kind: 'publish-localhost', bridge: m[1] })],
  [/^nothing from (\S+) reaches the host's 127\.0\.0\.0\/8$/, (m) => ({ kind: 'localhost-guard', bridge: m[1] })],
  [/^masquerade (\S+) \((\S+)\)$/, (m) => ({ kind: 'masquerade', network: m[2], subnet: m[1] })],
  [/^hairpin (\S+) \(ipv([46])\)$/, (m) => ({ kind: 'hairpin', network: m[1], family: fam(m[2]) })],
  [/^internal (\S+): nothing (leaves|enters)$/, (m) => ({ kind: 'internal', network: m[1], way: m[2] as 'leaves' | 'enters' })],
  [/^published ports of (\S+)$/, (m) => ({ kind: 'published-ports', network: m[1] })],
  [/^icc off (\S+)$/, (m) => ({ kind: 'icc', network: m[1], on: false })],
  [/^icc (\S+)$/, (m) => ({ kind: 'icc', network: m[1], on: true })],
  [/^allow (\S+) from peer subnet (\S+)$/, (m) => ({ kind: 'allow-peer', network: m[1], subnet: m[2] })],
  [/^allow (\S+) from (\S+)$/, (m) => ({ kind: 'allow', network: m[1], from: m[2] })],
  [/^isolate (\S+)$/, (m) => ({ kind: 'isolate', network: m[1] })],
];

const fam = (s: string): 4 | 6 => (s === '6' ? 6 : 4);

/** The intent a comment states, or undefined for a comment ctnet did not write (a rule added by hand). */
export function intentOf(comment: string): Intent | undefined {
  if (!comment.startsWith(OWNER_PREFIX)) return undefined;
  const words = comment.slice(OWNER_PREFIX.length);
  for (const [re, make] of GRAMMAR) {
    const m = re.exec(words);
    if (m) return make(m);
  }
  return undefined;
}

/** The intents of a ruleset's rules that ctnet wrote. */
export function intentsOf(r: Ruleset | null | undefined): Intent[] {
  return (r?.rules ?? []).map((x) => intentOf(x.comment)).filter((i): i is Intent => i !== undefined);
}
