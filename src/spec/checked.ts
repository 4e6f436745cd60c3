// A checked topology (checkTexts' answer for valid input: the topology and its warnings) as JSON and back, for a
// caller that keeps it between runs by its texts (the CLI: src/cli/value-cache.ts). Checking is a pure function
// of the files' names and texts (and of ctnet's build, which the caller's key holds): schema, merge, normalize,
// rules and pools take ~45 ms of the main thread in a CPU profile at 1000 containers with published ports (15-23 ms of
// a converged `apply`'s wall time, bench/RESULTS.md §5q) on every `plan` and `apply` of files that did not change;
// JSON.parse of the answer is a few ms.
// What JSON cannot hold is rebuilt: the Maps from entry lists, and the positions, which are lazy as always (a
// network's, peer's or host's `src` and the topology's `sources` are found from the texts only when a diagnostic
// or a plan line asks, by the same parse and merge checkTexts made them with).
import type { Diagnostic } from '../errors.js';
import type { SourceRef } from '../model/state.js';
import { mergeFiles } from './merge.js';
import { parseYaml } from './parse.js';
import { LazyIndex, refIn } from './source.js';
import type { Container, HostEntry, Network, Peer, Topology } from './types.js';

/** The shape's number: JSON of another is not read (the caller checks the texts itself). */
const FORMAT = 1;

type NoSrc<T> = Omit<T, 'src'>;
interface CheckedJson {
  format: number;
  project: string;
  networks: NoSrc<Network>[];
  containers: Container[];
  peers: NoSrc<Peer>[];
  hosts: NoSrc<HostEntry>[];
  routing: Topology['routing'];
  firewall: Topology['firewall'];
  files: string[];
  diagnostics: Diagnostic[];
}

const withoutSrc = <T extends { src: SourceRef }>(m: Map<string, T>): NoSrc<T>[] =>
  [...m.values()].map(({ src: _src, ...rest }) => rest);

/** JSON for a topology checkTexts gave and the diagnostics it gave with it (warnings: it gives a topology only
 *  when there is no error); undefined when JSON would not give exactly these values back (a number JSON has
 *  no text for), so that nothing inexact is ever kept. */
export function checkedToJson(topology: Topology, diagnostics: readonly Diagnostic[]): string | undefined {
  const doc: CheckedJson = {
    format: FORMAT,
    project: topology.project,
    networks: withoutSrc(topology.networks),
    containers: [...topology.containers.values()],
    peers: withoutSrc(topology.peers),
    hosts: withoutSrc(topology.hosts),
    routing: topology.routing,
    firewall: topology.firewall,
    files: topology.files,
    diagnostics: [...diagnostics],
  };
  return exactJson(doc);
}

/** JSON that parses back to exactly `value`, or undefined: JSON has no infinities, NaN or -0 (YAML's .inf,
 *  .nan and -0.0), which would come back as null or 0. */
export function exactJson(value: unknown): string | undefined {
  let exact = true;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) exact = false;
    return v;
  });
  return exact ? json : undefined;
}

/** The topology and diagnostics `json` (checkedToJson's) holds, for the files it was made from (`texts`, in the
 *  same order: their positions are found in them when asked for). Undefined for JSON of another format or of
 *  other file names. */
export function checkedFromJson(json: string, texts: readonly { file: string; text: string }[]): { topology: Topology; diagnostics: Diagnostic[] } | undefined {
  const doc = JSON.parse(json) as CheckedJson;
  if (doc?.format !== FORMAT || doc.files.length !== texts.length || doc.files.some((f, i) => f !== texts[i].file)) return undefined;
  const files = doc.files;
  // checkTexts' own positions: each file read again (js-yaml; positions lazily), merged the same way.
  const sources = new LazyIndex(() => {
    const { sources: merged } = mergeFiles(texts.map(({ file, text }) => parseYaml(file, text)));
    return new Map<string, SourceRef>(merged);
  });
  const srcOf = (section: string, name: string) => refIn(sources, files, [section, name]);
  const topology: Topology = {
    version: 1,
    project: doc.project,
    networks: new Map(doc.networks.map((n) => [n.name, { ...n, src: srcOf('networks', n.name) }])),
    containers: new Map(doc.containers.map((c) => [c.name, c])),
    peers: new Map(doc.peers.map((p) => [p.name, { ...p, src: srcOf('peers', p.name) }])),
    hosts: new Map(doc.hosts.map((h) => [h.name, { ...h, src: srcOf('hosts', h.name) }])),
    routing: doc.routing,
    firewall: doc.firewall,
    sources,
    files,
  };
  return { topology, diagnostics: doc.diagnostics };
}
