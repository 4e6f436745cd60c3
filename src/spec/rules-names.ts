// Rules about names: topology names, Linux interface names, namespace names.
import type { Diagnostic } from '../errors.js';
import { IFNAMSIZ_MAX } from './normalize.js';
import { attachmentPath, diagAt } from './source.js';
import type { Rule, Topology } from './types.js';


export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** Longest file name (a namespace under /run/netns). */
const NAME_MAX = 255;

/** Why `name` is not a Linux interface name (the kernel's dev_valid_name), or undefined. */
export function ifnameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > IFNAMSIZ_MAX) return `is ${name.length} characters long, Linux allows at most ${IFNAMSIZ_MAX}`;
  if (name === '.' || name === '..') return 'may not be "." or ".."';
  // The kernel would take more ("%d" as a number template, "*" which nft then reads as a wildcard in
  // ctnet's rules): only a safe alphabet reaches it, so a name always means itself.
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return 'may contain only letters, digits, "_", "." and "-"';
  if (name === 'lo') return 'is the loopback interface every namespace has';
  return undefined;
}

const names: Rule = (t) => {
  const out: Diagnostic[] = [];
  const sections = [['networks', t.networks], ['containers', t.containers], ['peers', t.peers], ['hosts', t.hosts]] as const;
  for (const [section, map] of sections) {
    for (const name of map.keys()) {
      if (NAME_RE.test(name)) continue;
      out.push(diagAt(t.sources, [section, name], `invalid name "${name}"`,
        'use letters, digits, "_", "." and "-", start with a letter or digit, at most 63 characters'));
    }
  }
  return out;
};

const ifnames: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const n of t.networks.values()) {
    const p = n.bridgeNameGiven ? ifnameProblem(n.bridgeName) : undefined;
    if (p) out.push(diagAt(t.sources, ['networks', n.name, 'bridge_name'], `bridge name "${n.bridgeName}" ${p}`,
      'choose another name (letters, digits, "_", "." and "-", at most 15 characters), or remove bridge_name to derive one'));
  }
  // Paths and maps only where they are needed: rules run over every container at every edit.
  for (const c of t.containers.values()) {
    const list = c.attachments;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      const p = ifnameProblem(a.interface);
      if (p) out.push(diagAt(t.sources, [...attachmentPath(c, a), 'interface'], `interface name "${a.interface}" ${p}`, 'use a name like eth0'));
      let j = 0;
      while (j < i && list[j].interface !== a.interface) j++;
      if (j < i) {
        out.push(diagAt(t.sources, [...attachmentPath(c, a), 'interface'], `interface "${a.interface}" is used for networks "${list[j].network}" and "${a.network}"`,
          'give each network its own interface name, or remove `interface` to use eth0, eth1, ...'));
      }
    }
  }
  return out;
};

const duplicateBridges: Rule = (t) => {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const n of t.networks.values()) {
    const prev = seen.get(n.bridgeName);
    if (prev !== undefined) {
      out.push(diagAt(t.sources, ['networks', n.name, 'bridge_name'],
        `bridge name "${n.bridgeName}" is also used by network "${prev}"`, 'give each network its own bridge_name'));
    } else seen.set(n.bridgeName, n.name);
  }
  return out;
};

/** What is wrong with a container's netns, as [message, hint], or undefined. */
function netnsProblem(netns: string): [string, string] | undefined {
  if (netns.startsWith('/')) {
    return netns.split('/').some((s) => s === '..' || s === '.')
      ? [`netns path "${netns}" contains "." or ".." segments`, 'write the absolute path without . or ..'] : undefined;
  }
  if (netns.includes('/') || netns === '.' || netns === '..' || netns === '' || /\s/.test(netns)) {
    return [`netns "${netns}" is neither a plain name nor an absolute path`, 'write a name under /run/netns (no "/") or an absolute path like /proc/123/ns/net'];
  }
  // Plain ASCII names (nearly all) are as many bytes as characters: no encoding needed to know.
  if (netns.length > NAME_MAX / 3 && Buffer.byteLength(netns) > NAME_MAX) {
    return [`netns name is ${Buffer.byteLength(netns)} bytes long, a file name has at most ${NAME_MAX}`, 'use a shorter name'];
  }
  return undefined;
}

const netnsForm: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    if (c.netns === undefined) continue;
    const problem = netnsProblem(c.netns);
    if (problem) out.push(diagAt(t.sources, ['containers', c.name, 'netns'], ...problem));
  }
  return out;
};

export const nameRules: Rule[] = [names, ifnames, duplicateBridges, netnsForm];
