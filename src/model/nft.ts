// The shapes of ctnet's nftables table, in the form `nft -j list table inet ctnet`
// prints (minus handles and counter values), so that what ctnet wants and what it
// reads back can be compared as plain JSON (KERNEL-FACTS C2).

/** An nft JSON expression or statement, kept opaque: only the builder and canon look inside. */
export type Expr = unknown;

export interface ChainSpec {
  name: string;
  type: 'nat' | 'filter';
  hook: 'prerouting' | 'output' | 'postrouting' | 'forward';
  prio: number;            // integers only: named prios create a hookless chain in 1.0.6 (KERNEL-FACTS C1)
  policy: 'accept';
}

export interface MapSpec {
  name: string;
  type: string | string[]; // key type, e.g. ["inet_proto", "inet_service"]
  map: string;             // data type
  /** [key, value] pairs, sorted by their JSON text. */
  elem: [unknown, unknown][];
}

export interface RuleSpec {
  chain: string;
  /** "ctnet:<what the rule is for, in the user's words>" */
  comment: string;
  expr: Expr[];
}

/** Canonical content of the table: chains and maps sorted by name, rules in chain order. */
export interface Ruleset {
  chains: ChainSpec[];
  maps: MapSpec[];
  rules: RuleSpec[];
}

/** One published port after expansion (ranges become one mapping per port). */
export interface Mapping {
  family: 4 | 6;
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp?: string;         // undefined: every local address
  hostPort: number;
  addr: string;            // container address
  port: number;            // container port
  container: string;
}

/** What the firewall needs to know about one network. */
export interface FwNetwork {
  name: string;
  bridge: string;
  subnet4?: string;   // undefined on an IPv6-only network
  subnet6?: string;
  internal: boolean;
  masquerade: boolean;
  icc: boolean;
  allowFrom: string[];
}
