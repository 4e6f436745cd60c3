// Pure: check one parsed file against schema/topology.schema.json and turn ajv's
// errors into Diagnostics a person can act on: dot path, file:line:col, and a hint
// taken from the schema's own descriptions (the same text editors show).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { schemaHashOf } from './schema-hash.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import schema from '../../schema/topology.schema.json' with { type: 'json' };
import { packageRoot } from '../package.js';
import formats from './schema-formats.js';
import type { Diagnostic } from '../errors.js';
import { diagAt, suggest, type Segments } from './source.js';
import type { SourceIndex } from './types.js';

type Generated = { default: ValidateFunction; schemaHash: string };

/** The module scripts/gen-validator.mjs generated at build time, if there is one. The bundle has it inside
 *  (scripts/bundle.mjs replaces the line below with a static import of it): one module less to load. */
async function importGenerated(): Promise<Generated | undefined> {
  const generated = join(packageRoot(), 'dist/src/spec/schema-validator.js');
  return existsSync(generated) ? ((await import(pathToFileURL(generated).href)) as Generated) : undefined;
}

/** The validator generated at build time when it was made from this very schema; otherwise (a source
 *  checkout under vitest, a schema edited since the build) ajv compiles it now. */
async function loadValidator(): Promise<ValidateFunction> {
  const m = await importGenerated();
  if (m && m.schemaHash === schemaHashOf(schema)) return m.default;
  return compileNow();
}

export async function compileNow(): Promise<ValidateFunction> {
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  for (const [name, f] of Object.entries(formats)) ajv.addFormat(name, f as never);
  return ajv.compile(schema);
}

const validate = await loadValidator();

export function checkSchema(file: string, value: unknown, sources: SourceIndex): Diagnostic[] {
  if (value === null || value === undefined) return []; // an empty file adds nothing
  if (validate(value)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of reduceAlternatives(validate.errors ?? [])) {
    if (e.keyword === 'if') continue; // "must match then": the failed `then` is reported on its own
    const d = toDiagnostic(e, sources);
    d.file ??= file;
    const id = `${d.path}\u0000${d.message}`;
    if (!seen.has(id)) { seen.add(id); out.push(d); }
  }
  return out;
}

function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `${typeof v} ${show(v)}`);

/** ajv's `type` param: "object", "string,integer" or, where the schema allows several, an array. */
function typeWords(type: string | string[]): string {
  const list = Array.isArray(type) ? type : String(type).split(',');
  return list.map((t) => (t === 'object' ? 'map' : t === 'array' ? 'list' : t)).join(' or ');
}

/** Docker's and Compose's words for ctnet's fields: users write what they know (`docker run --ip`,
 *  Compose's `ipam.config`), and edit distance alone would not find these. Used where `field` is allowed. */
const DOCKER_WORDS: Record<string, { field: string; hint: string }> = {
  ip: { field: 'ipv4_address', hint: 'ctnet writes docker\'s --ip as ipv4_address (as Compose does): ipv4_address: 10.10.0.10' },
  ip6: { field: 'ipv6_address', hint: 'ctnet writes docker\'s --ip6 as ipv6_address: ipv6_address: fd00::10' },
  ipam: { field: 'subnet', hint: 'ctnet writes Compose\'s ipam.config as fields of the network: subnet, gateway, ip_range (and ipv6_subnet); `ctnet import compose FILE` translates a whole Compose file' },
  alias: { field: 'aliases', hint: 'did you mean "aliases"? (a list, like docker --network-alias)' },
  network_alias: { field: 'aliases', hint: 'docker\'s --network-alias is aliases here: aliases: [name]' },
  mac: { field: 'mac_address', hint: 'docker\'s --mac-address is mac_address here' },
  publish: { field: 'ports', hint: 'docker\'s -p/--publish is ports here: ports: ["8080:80"]' },
  net: { field: 'network_mode', hint: 'docker\'s --net is network_mode here (bridge, none, host, container:<name>), and the networks are listed under networks' },
  network: { field: 'networks', hint: 'docker\'s --network is networks here: networks: [name] (or network_mode: none/host/container:<name>)' },
  opt: { field: 'bridge_name', hint: 'of docker network create -o, com.docker.network.bridge.name is bridge_name here; mtu, icc and masquerade are fields of the network too' },
  driver_opts: { field: 'bridge_name', hint: 'Compose\'s driver_opts are fields of the network here: bridge_name (com.docker.network.bridge.name), mtu, icc, masquerade' },
  enable_ipv6: { field: 'ipv6_subnet', hint: 'ctnet enables IPv6 on a network that has ipv6_subnet: ipv6_subnet: fd00:10::/64' },
};

function toDiagnostic(e: ErrorObject, sources: SourceIndex): Diagnostic {
  const segs: Segments = segmentsOf(e.instancePath);
  const desc: string | undefined = (e.parentSchema as any)?.description;
  const p = e.params as any;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as any)?.properties ?? {});
      const docker = DOCKER_WORDS[p.additionalProperty];
      const near = docker && known.includes(docker.field) ? undefined : suggest(p.additionalProperty, known);
      return diagAt(sources, [...segs, p.additionalProperty], `unknown field "${p.additionalProperty}"`,
        docker && known.includes(docker.field) ? docker.hint : near ? `did you mean "${near}"?` : `allowed fields: ${known.join(', ')}`);
    }
    case 'required': {
      const field = p.missingProperty;
      const fdesc = (e.parentSchema as any)?.properties?.[field]?.description;
      // A conditional requirement (`then`) says in its own description what would satisfy it.
      return diagAt(sources, segs, `missing required field "${field}"`, fdesc ? `add ${field}: ${fdesc}` : desc ?? `add ${field}`);
    }
    case 'type':
      return diagAt(sources, segs, `expected ${typeWords(p.type)}, got ${kindOf(e.data)}`, desc);
    case 'format':
      return diagAt(sources, segs, `${show(e.data)} is not a valid ${p.format.replace('-cidr', ' CIDR')}`, desc);
    case 'enum':
      return diagAt(sources, segs, `${show(e.data)} is not one of ${p.allowedValues.map(show).join(', ')}`, desc);
    case 'const':
      return diagAt(sources, segs, `${show(e.data)} is not supported, expected ${show(p.allowedValue)}`, desc);
    case 'minimum': case 'maximum':
      return diagAt(sources, segs, `${show(e.data)} is out of range (${e.message})`, desc);
    case 'minItems':
      return diagAt(sources, segs, `must list at least ${p.limit} item(s)`, desc);
    case 'pattern': case 'anyOf':
      if (segs.length === 1 && segs[0] === 'name') {
        return diagAt(sources, segs, `${show(e.data)} is not a valid project name`,
          'a project name is letters, digits, "_", "." and "-", at most 63 characters (it becomes part of link marks and table names)');
      }
      return diagAt(sources, segs, `${show(e.data)} is not valid here`, desc);
    default:
      return diagAt(sources, segs, e.message ?? e.keyword, desc);
  }
}

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

function typeMatches(branch: any, data: unknown): boolean {
  if (!branch || branch.type === undefined) return true;
  const types: string[] = [].concat(branch.type);
  const t = jsonType(data);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** ajv reports every failing branch of an anyOf. When the value's type picks exactly
 *  one branch, keep that branch's deeper errors; otherwise report one error that
 *  quotes the description of the whole alternative. */
function reduceAlternatives(errors: ErrorObject[]): ErrorObject[] {
  let list = [...errors];
  for (;;) {
    const i = list.findIndex((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    if (i < 0) return list;
    const alt = list[i];
    const under = (e: ErrorObject) => e.instancePath === alt.instancePath || e.instancePath.startsWith(alt.instancePath + '/');
    // Branch errors are pushed right before the anyOf error. Errors reached through a
    // $ref carry the referenced schema's path, so branches are told apart by type.
    let start = i;
    while (start > 0 && under(list[start - 1])) start--;
    const subs = list.slice(start, i);
    const branches: any[] = Array.isArray(alt.schema) ? alt.schema : [];
    const matched = branches.map((b, k) => (typeMatches(b, alt.data) ? k : -1)).filter((k) => k >= 0);
    const prefix = alt.schemaPath + '/';
    let keep: ErrorObject[] = [];
    if (matched.length === 1) {
      const k = matched[0];
      keep = subs.filter((e) => !e.schemaPath.startsWith(prefix) || e.schemaPath.startsWith(`${prefix}${k}/`));
    }
    const replacement = keep.some((e) => e.instancePath !== alt.instancePath) ? keep : [{ ...alt, keyword: 'pattern' }];
    list = [...list.slice(0, start), ...replacement, ...list.slice(i + 1)];
  }
}
