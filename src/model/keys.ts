// Keys: the identity of owned objects, built and parsed only here. The planner
// matches desired and observed objects by key, and links carry theirs in
// IFLA_IFALIAS ("ctnet:<key>"), which is how ctnet recognises its own links
// after a restart. `label` is 'host' for the host namespace or the name of the
// container whose namespace it is (observe() is told the labels by the desired
// state). Code elsewhere asks parseKey() what a key names instead of splitting it.
import { memoized } from './memo.js';

export const OWNER_PREFIX = 'ctnet:';
/** Route protocol (RTPROT) and address protocol (IFA_PROTO) that mark ctnet's routes and addresses. */
export const CTNET_PROTO = 0xc7;
/** Link group of ctnet's links: lets deletion be one RTM_DELLINK per namespace (0.4 ms/link instead of 20 ms). */
export const CTNET_LINK_GROUP = 0xc7;
/** Temporary group for links about to be deleted together. */
export const CTNET_DOOMED_GROUP = 0xc8;
/** ctnet's one nftables table (`inet ctnet`), owned by its name. */
export const NFT_TABLE = 'ctnet';
export const NFT_FAMILY = 'inet';
/** The label of the host namespace in keys. */
export const HOST_LABEL = 'host';

export const netnsKey = (name: string) => `netns/${name}`;
export const bridgeKey = (network: string) => `bridge/${network}`;
export const vethKey = (container: string, network: string) => `veth/${container}/${network}`;
export const vxlanKey = (vni: number) => `vxlan/${vni}`;
/** The Linux name of the overlay device, and the MAC of a host's endpoint (derived from its address). */
export const vxlanName = (vni: number) => `ctv${vni}`;
export const loKey = (label: string) => `lo/${label}`;
export const addrKey = (label: string, dev: string, address: string, prefix: number) =>
  `addr/${label}/${dev}/${address}/${prefix}`;
export const routeKey = (label: string, dst: string) => `route/${label}/${dst}`;
export const nftKey = (family = NFT_FAMILY, name = NFT_TABLE) => `nft/${family}/${name}`;
export const sysctlKey = (label: string, path: string) => `sysctl/${label}/${path}`;
export const hostsKey = (container: string) => `hosts/${container}`;
/** ctnet's accept rules for a network's bridge in Docker's DOCKER-USER chain. */
export const fwacceptKey = (network: string) => `fwaccept/${network}`;
/** The chain Docker keeps for its users' rules (evaluated first in its FORWARD chain). */
export const DOCKER_USER_CHAIN = 'DOCKER-USER';
export const resolvKey = (container: string) => `resolv/${container}`;
/** A link born in ctnet's group that never got its alias (a crash between create and alias). */
export const orphanKey = (label: string | undefined, name: string) =>
  label === undefined || label === HOST_LABEL ? `orphan/${name}` : `orphan/${label}/${name}`;

/** What a key names. `container` is set for keys that belong to one container by name (its veths,
 *  hosts and resolv.conf files), `label` for keys that name the namespace they live in. */
export interface KeyParts {
  kind: string;
  container?: string;
  network?: string;
  label?: string;
  dev?: string;
  /** The rest of the key after the kind and label (an address, a destination, a sysctl path, a name). */
  rest?: string;
}

/** What a key names; the answer is shared (never change it). Remembered: every pass asks of thousands of keys,
 *  the current topology's (the bound is only one). */
export const parseKey = memoized(keyParts, 200_000);

function keyParts(key: string): KeyParts {
  let p: KeyParts;
  const i = key.indexOf('/');
  const kind = i < 0 ? key : key.slice(0, i);
  const tail = i < 0 ? '' : key.slice(i + 1);
  const first = (s: string) => { const j = s.indexOf('/'); return j < 0 ? [s, ''] : [s.slice(0, j), s.slice(j + 1)]; };
  switch (kind) {
    case 'veth': { const [container, network] = first(tail); p = { kind, container, network }; break; }
    case 'hosts': case 'resolv': p = { kind, container: tail }; break;
    case 'bridge': case 'fwaccept': p = { kind, network: tail }; break;
    case 'netns': p = { kind, rest: tail }; break;
    case 'lo': p = { kind, label: tail }; break;
    case 'addr': {
      // addr/<label>/<dev>/<address>/<prefix>
      const [label, r1] = first(tail);
      const [dev, rest] = first(r1);
      p = { kind, label, dev, rest };
      break;
    }
    case 'route': case 'sysctl': { const [label, rest] = first(tail); p = { kind, label, rest }; break; }
    case 'orphan': {
      const [a, b] = first(tail);
      p = b ? { kind, label: a, rest: b } : { kind, label: HOST_LABEL, rest: a };
      break;
    }
    default: p = { kind, rest: tail };
  }
  return p;
}

/** The owner a key names: a veth's container and network, a bridge's network, a container's files, and
 *  the container whose namespace holds a loopback, an address, a route or a sysctl. */
export function ownerOfKey(key: string): { container?: string; network?: string } {
  const k = parseKey(key);
  const container = k.container ?? (k.label !== undefined && k.kind !== 'orphan' ? containerOfLabel(k.label) : undefined);
  // Built field by field, not spread: every observed object of a pass comes here.
  const out: { container?: string; network?: string } = {};
  if (container !== undefined) out.container = container;
  if (k.network !== undefined) out.network = k.network;
  return out;
}

/** Fills in `owner` from the key where the object does not say (and the key names one); a project
 *  already set stays. */
export function withOwner<T extends { key: string; owner?: { container?: string; network?: string; project?: string } }>(obj: T): T {
  if (obj.owner?.container !== undefined || obj.owner?.network !== undefined) return obj; // it says
  const fromKey = ownerOfKey(obj.key);
  if (fromKey.container === undefined && fromKey.network === undefined) return obj;
  if (obj.owner === undefined) obj.owner = fromKey;
  else if (obj.owner.container === undefined && obj.owner.network === undefined) obj.owner = { ...fromKey, ...obj.owner };
  return obj;
}

/** The owner ownerOfKey() reads from the key of an object in the namespace `label` names (the container of that
 *  name; the host's label names none), set without building and parsing the key: the makers of a pass's
 *  thousands of addresses, routes and loopbacks know the label. Last, as withOwner() would add it. */
export function labelOwned<T extends { owner?: { container?: string } }>(obj: T, label: string): T {
  const container = containerOfLabel(label);
  if (container !== undefined) obj.owner = { container };
  return obj;
}

/** The container a namespace label names: the label itself, but the host's names none (even where a container
 *  is called host). */
const containerOfLabel = (label: string): string | undefined => (label !== HOST_LABEL ? label : undefined);

/** The kind in a key ("veth/web1/net" -> "veth"): metrics and logs count repairs by it. */
export const kindOfKey = (key: string): string => {
  // What keyParts takes as the kind, without parsing (and remembering) the rest: a plan asks it of every key
  // of the applied record (5000 at 1000 containers, ~7 ms through parseKey).
  const i = key.indexOf('/');
  return i < 0 ? key : key.slice(0, i);
};

/** The container a per-container key names ("veth/web1/net" -> "web1"), if any. */
export const containerOfKey = (key: string): string | undefined => parseKey(key).container;

/** The project of everything made before projects existed, and of a topology without `name:`. */
export const DEFAULT_PROJECT = 'default';
/** Project names (TOPOLOGY.md "Projects"): they end up in link aliases, nft table names and lock names. */
export const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,63}$/;
/** Marks of other projects than `default` carry the project: "ctnet@shop:bridge/web". The default
 *  project keeps the plain "ctnet:<key>" of links made before projects existed (no migration). */
const PROJECT_PREFIX = 'ctnet@';

export const aliasFor = (key: string, project = DEFAULT_PROJECT) =>
  project === DEFAULT_PROJECT ? OWNER_PREFIX + key : `${PROJECT_PREFIX}${project}:${key}`;

/** The project and key in a link alias, or undefined when the link is not ctnet's. */
export function parseAlias(alias: string | undefined): { project: string; key: string } | undefined {
  if (!alias) return undefined;
  if (alias.startsWith(OWNER_PREFIX)) return { project: DEFAULT_PROJECT, key: alias.slice(OWNER_PREFIX.length) };
  if (!alias.startsWith(PROJECT_PREFIX)) return undefined;
  const i = alias.indexOf(':', PROJECT_PREFIX.length);
  if (i < 0) return undefined;
  const project = alias.slice(PROJECT_PREFIX.length, i);
  return PROJECT_NAME.test(project) ? { project, key: alias.slice(i + 1) } : undefined;
}

/** The key in a link alias whatever its project, or undefined when the link is not ctnet's. */
export function keyFromAlias(alias: string | undefined): string | undefined {
  return parseAlias(alias)?.key;
}

/** Each project's rules are a table of its own (`inet ctnet`, `inet ctnet-shop`): removing one project
 *  is deleting its table, and the others' ports, masquerade and isolation are untouched. */
export const tableOf = (project = DEFAULT_PROJECT) => (project === DEFAULT_PROJECT ? NFT_TABLE : `${NFT_TABLE}-${project}`);
/** The project a table of ctnet's belongs to, or undefined for anyone else's table. */
export function projectOfTable(name: string): string | undefined {
  if (name === NFT_TABLE) return DEFAULT_PROJECT;
  if (!name.startsWith(`${NFT_TABLE}-`)) return undefined;
  const p = name.slice(NFT_TABLE.length + 1);
  return PROJECT_NAME.test(p) && p !== DEFAULT_PROJECT ? p : undefined;
}
