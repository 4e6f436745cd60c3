// Rules about names containers give each other: links must resolve on a network
// both containers share, aliases must be DNS-safe and unique per network, and two
// containers may not claim the same hosts file (one would overwrite the other's block).
import type { Diagnostic } from '../errors.js';
import { linkNetwork } from './names.js';
import { NAME_RE } from './rules-names.js';
import { attachmentPath, diagAt } from './source.js';
import type { Rule, Topology } from './types.js';

const NAME_HINT = 'use letters, digits, "_", "." and "-", start with a letter or digit, at most 63 characters';

const links: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    if (c.links.length === 0) continue;
    const seen = new Map<string, string>(); // name in this container's hosts file -> linked container
    c.links.forEach((l, i) => {
      const at = ['containers', c.name, 'links', i];
      const other = t.containers.get(l.container);
      if (!other) return; // rules-containers reports unknown containers
      if (l.alias !== undefined && !NAME_RE.test(l.alias)) out.push(diagAt(t.sources, at, `invalid link alias "${l.alias}"`, NAME_HINT));
      if (l.container === c.name) {
        out.push(diagAt(t.sources, at, `container "${c.name}" links to itself`, 'remove this link: a container always resolves its own names'));
      } else if (other.networkMode !== 'bridge') {
        out.push(diagAt(t.sources, at, `container "${l.container}" has no address of its own (network_mode ${other.networkMode}${other.modeContainer ? `:${other.modeContainer}` : ''})`,
          other.modeContainer ? `link to "${other.modeContainer}" instead` : 'remove the link'));
      } else if (c.networkMode === 'bridge' && !linkNetwork(t, c.name, l.container)) {
        const mine = c.attachments.map((a) => a.network).filter((n) => t.networks.has(n));
        out.push(diagAt(t.sources, at, `container "${l.container}" shares no network with "${c.name}", so the link cannot resolve`,
          mine.length ? `attach "${l.container}" to ${mine.map((n) => `"${n}"`).join(' or ')}, or remove the link` : `attach "${c.name}" to a network of "${l.container}"`));
      }
      const name = l.alias ?? l.container;
      const prev = seen.get(name);
      if (prev !== undefined && prev !== l.container) {
        out.push(diagAt(t.sources, at, `link name "${name}" already points to container "${prev}"`, 'give this link another alias (name:alias)'));
      }
      seen.set(name, l.container);
    });
  }
  return out;
};

const aliases: Rule = (t) => {
  const out: Diagnostic[] = [];
  const owner = new Map<string, string>(); // "network\0name" -> container
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge') continue;
    for (const a of c.attachments) owner.set(`${a.network}\u0000${c.name.toLowerCase()}`, c.name);
  }
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge') continue;
    for (const a of c.attachments) {
      if (a.aliases.length === 0) continue;
      a.aliases.forEach((alias, i) => {
        const at = [...attachmentPath(c, a), 'aliases', i];
        if (!NAME_RE.test(alias)) { out.push(diagAt(t.sources, at, `invalid alias "${alias}"`, NAME_HINT)); return; }
        const k = `${a.network}\u0000${alias.toLowerCase()}`; // DNS names are case-insensitive
        const prev = owner.get(k);
        if (prev !== undefined && prev !== c.name) {
          out.push(diagAt(t.sources, at, `alias "${alias}" on network "${a.network}" is already a name of container "${prev}"`,
            'pick another alias: one name must resolve to one container on a network'));
        } else {
          owner.set(k, c.name);
        }
      });
    }
  }
  return out;
};

const hostsFiles: Rule = (t) => {
  const out: Diagnostic[] = [];
  const byPath = new Map<string, string>();
  for (const c of t.containers.values()) {
    if (!c.hostsFile || c.networkMode !== 'bridge') continue;
    const prev = byPath.get(c.hostsFile);
    if (prev !== undefined) {
      out.push(diagAt(t.sources, ['containers', c.name, 'hosts_file'], `hosts file "${c.hostsFile}" is also the hosts file of container "${prev}"`,
        'give each container its own hosts_file'));
    } else byPath.set(c.hostsFile, c.name);
    if (!c.hostsFile.startsWith('/')) {
      out.push(diagAt(t.sources, ['containers', c.name, 'hosts_file'], `hosts_file "${c.hostsFile}" is not an absolute path`, 'write it as /path/to/hosts'));
    }
  }
  return out;
};

/** Links and aliases reach a container through its hosts file (aliases also through DNS on a `dns: true`
 *  network). A container given by `pid:` or a namespace path has no default hosts file: without `hosts_file`
 *  they would silently do nothing. */
const undelivered: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    // A Docker container's hosts file is the engine's (HostsPath), found when it is resolved.
    if (c.hostsFile || c.docker !== undefined || c.networkMode !== 'bridge') continue;
    const aliased = c.attachments.filter((a) => a.aliases.length > 0 && !t.networks.get(a.network)?.dns);
    if (c.links.length === 0 && aliased.length === 0) continue;
    const what = c.links.length ? 'links' : 'aliases';
    out.push(diagAt(t.sources, c.links.length ? ['containers', c.name, 'links'] : [...attachmentPath(c, aliased[0]), 'aliases'],
      `container "${c.name}" has ${what} but no hosts file ctnet can write (its namespace is given by ${c.pid !== undefined ? 'pid' : 'path'}, which has no /etc/netns/<name>/hosts): they would do nothing`,
      `set hosts_file to the file the container sees as /etc/hosts (e.g. /proc/${c.pid ?? '<pid>'}/root/etc/hosts)${what === 'aliases' ? ', or put the network on dns: true' : ''}`, 'warning'));
  }
  return out;
};

export const linkRules: Rule[] = [links, aliases, hostsFiles, undelivered];
