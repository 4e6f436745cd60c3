// Pure: a GraphModel as Graphviz dot or as a Mermaid flowchart. One cluster per host
// (multi-host topologies) and one per network inside it, holding the network's bridge
// and the containers whose first network it is; a container on several networks has an
// edge (labelled with its address) to each other bridge; links and aliases are dashed
// edges between containers; peers are nodes beside the hosts. Names are quoted and
// escaped, so any topology name draws.
import type { GContainer, GraphModel, GNetwork } from './model.js';

const GRID_FROM = 12;
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const ctrLabel = (c: GContainer) => [c.name, ...(c.attach[0]?.addrs ?? []), ...c.ports, ...(c.mode !== 'bridge' ? [c.mode] : [])].join('\n');
const netLabel = (n: GNetwork) => [`${n.name}${n.internal ? ' (internal)' : ''}`, ...n.subnets, `bridge ${n.bridge}`].join('\n');

/** Networks and containers grouped by host ('' for a single-host topology or objects of no host). */
function byHost(m: GraphModel): Map<string, { nets: GNetwork[]; loose: GContainer[] }> {
  const out = new Map<string, { nets: GNetwork[]; loose: GContainer[] }>();
  const of = (h: string) => out.get(h) ?? out.set(h, { nets: [], loose: [] }).get(h)!;
  for (const h of m.hosts) of(h.name);
  for (const n of m.networks) of(n.host ?? '').nets.push(n);
  const netHost = new Map(m.networks.map((n) => [n.name, n.host ?? '']));
  for (const c of m.containers) if (!c.attach.length) of(c.host ?? '').loose.push(c);
  for (const c of m.containers) if (c.attach.length && !netHost.has(c.attach[0].network)) of(c.host ?? '').loose.push(c);
  return out;
}

export function toDot(m: GraphModel): string {
  const lines = [`digraph ${q(`ctnet ${m.project}`)} {`, '  rankdir=LR; compound=true; fontname="Helvetica";',
    '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9, arrowhead=none];'];
  const first = new Map<string, GContainer[]>();
  for (const c of m.containers) if (c.attach.length) (first.get(c.attach[0].network) ?? first.set(c.attach[0].network, []).get(c.attach[0].network)!).push(c);
  const address = new Map(m.hosts.map((h) => [h.name, h.address]));
  for (const [host, g] of byHost(m)) {
    const pad = host ? '    ' : '  ';
    if (host) lines.push(`  subgraph ${q(`cluster_host_${host}`)} {`, `    label=${q(`host ${host}${address.has(host) ? ` (${address.get(host)})` : ''}`)}; style=dashed;`);
    for (const n of g.nets) {
      lines.push(`${pad}subgraph ${q(`cluster_net_${n.name}`)} {`, `${pad}  label=${q(netLabel(n))}; style="rounded,filled"; fillcolor="#f2f6fb";`);
      lines.push(`${pad}  ${q(`net:${n.name}`)} [label=${q(`bridge ${n.bridge}`)}, shape=ellipse];`);
      const members = first.get(n.name) ?? [];
      for (const c of members) lines.push(`${pad}  ${q(`ctr:${c.name}`)} [label=${q(ctrLabel(c))}];`);
      // Many containers: invisible edges fold them into a grid of about sqrt(n) columns instead of one
      // column as tall as the network (100 containers stay legible).
      if (members.length > GRID_FROM) {
        const rows = Math.ceil(Math.sqrt(members.length));
        for (let i = 0; i + rows < members.length; i++) lines.push(`${pad}  ${q(`ctr:${members[i].name}`)} -> ${q(`ctr:${members[i + rows].name}`)} [style=invis];`);
      }
      lines.push(`${pad}}`);
    }
    for (const c of g.loose) lines.push(`${pad}${q(`ctr:${c.name}`)} [label=${q(ctrLabel(c))}];`);
    if (host) lines.push('  }');
  }
  for (const p of m.peers) lines.push(`  ${q(`peer:${p.name}`)} [label=${q([`peer ${p.name}`, `via ${p.via}`, ...p.subnets].join('\n'))}, shape=component];`);
  for (const c of m.containers) {
    c.attach.forEach((a, i) => {
      // The first network's addresses are in the container's box already.
      const label = [...(i > 0 ? a.addrs : []), ...a.aliases.map((x) => `alias ${x}`)].join('\n');
      lines.push(`  ${q(`ctr:${c.name}`)} -> ${q(`net:${a.network}`)}${label || i > 0 ? ` [label=${q(label)}${i > 0 ? ', style=bold' : ''}]` : ''};`);
    });
    for (const l of c.links) lines.push(`  ${q(`ctr:${c.name}`)} -> ${q(`ctr:${l.to}`)} [style=dashed, arrowhead=normal${l.alias ? `, label=${q(l.alias)}` : ''}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Mermaid ids: letters, digits and _ only; every name maps to one id. */
const mid = (kind: string, name: string) => `${kind}_${[...name].map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : `_${ch.charCodeAt(0).toString(16)}_`)).join('')}`;
const mtext = (s: string) => `"${s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;

export function toMermaid(m: GraphModel): string {
  const lines = ['flowchart LR'];
  const first = new Map<string, GContainer[]>();
  for (const c of m.containers) if (c.attach.length) (first.get(c.attach[0].network) ?? first.set(c.attach[0].network, []).get(c.attach[0].network)!).push(c);
  const address = new Map(m.hosts.map((h) => [h.name, h.address]));
  for (const [host, g] of byHost(m)) {
    const pad = host ? '    ' : '  ';
    if (host) lines.push(`  subgraph ${mid('host', host)}[${mtext(`host ${host}${address.has(host) ? ` (${address.get(host)})` : ''}`)}]`);
    for (const n of g.nets) {
      lines.push(`${pad}subgraph ${mid('cluster', n.name)}[${mtext(netLabel(n).replace(/\n/g, ' · '))}]`);
      lines.push(`${pad}  ${mid('net', n.name)}((${mtext(`bridge ${n.bridge}`)}))`);
      for (const c of first.get(n.name) ?? []) lines.push(`${pad}  ${mid('ctr', c.name)}[${mtext(ctrLabel(c))}]`);
      lines.push(`${pad}end`);
    }
    for (const c of g.loose) lines.push(`${pad}${mid('ctr', c.name)}[${mtext(ctrLabel(c))}]`);
    if (host) lines.push('  end');
  }
  for (const p of m.peers) lines.push(`  ${mid('peer', p.name)}[/${mtext([`peer ${p.name}`, `via ${p.via}`, ...p.subnets].join('\n'))}/]`);
  for (const c of m.containers) {
    for (const a of c.attach) {
      const label = [...a.addrs, ...a.aliases.map((x) => `alias ${x}`)].join(' ');
      lines.push(`  ${mid('ctr', c.name)} ---${label ? `|${mtext(label)}|` : ''} ${mid('net', a.network)}`);
    }
    for (const l of c.links) lines.push(`  ${mid('ctr', c.name)} -.->${l.alias ? `|${mtext(l.alias)}|` : ''} ${mid('ctr', l.to)}`);
  }
  return lines.join('\n') + '\n';
}
