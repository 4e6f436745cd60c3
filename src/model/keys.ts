// Key builders. Keys are the identity of owned objects: the planner matches
// desired and observed objects by key, and links carry theirs in IFLA_IFALIAS
// ("ctnet:<key>"), which is how ctnet recognises its own links after a restart.
// `label` is 'host' for the host namespace or the name of the container whose
// namespace it is (observe() is told the labels by the desired state).

export const OWNER_PREFIX = 'ctnet:';
/** Route protocol (RTPROT) and address protocol (IFA_PROTO) that mark ctnet's routes and addresses. */
export const CTNET_PROTO = 0xc7;
/** Link group of ctnet's links: lets deletion be one RTM_DELLINK per namespace (0.4 ms/link instead of 20 ms). */
export const CTNET_LINK_GROUP = 0xc7;
/** Temporary group for links about to be deleted together. */
export const CTNET_DOOMED_GROUP = 0xc8;

export const netnsKey = (name: string) => `netns/${name}`;
export const bridgeKey = (network: string) => `bridge/${network}`;
export const vethKey = (container: string, network: string) => `veth/${container}/${network}`;
export const loKey = (label: string) => `lo/${label}`;
export const addrKey = (label: string, dev: string, address: string, prefix: number) =>
  `addr/${label}/${dev}/${address}/${prefix}`;
export const routeKey = (label: string, dst: string) => `route/${label}/${dst}`;
/** ctnet's one nftables table. */
export const NFT_TABLE = 'ctnet';
export const nftKey = (family = 'inet', name = NFT_TABLE) => `nft/${family}/${name}`;
export const sysctlKey = (label: string, path: string) => `sysctl/${label}/${path}`;
export const hostsKey = (container: string) => `hosts/${container}`;
export const resolvKey = (container: string) => `resolv/${container}`;

export const aliasFor = (key: string) => OWNER_PREFIX + key;
/** The key in a link alias, or undefined when the link is not ctnet's. */
export function keyFromAlias(alias: string | undefined): string | undefined {
  return alias && alias.startsWith(OWNER_PREFIX) ? alias.slice(OWNER_PREFIX.length) : undefined;
}
