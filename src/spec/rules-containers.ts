// Rules about containers: references, network modes, namespaces, attachments.
import type { Diagnostic } from '../errors.js';
import { nsRefOf } from './compile.js';
import { attachmentPath, diagAt, suggest } from './source.js';
import type { Container, Rule, Topology } from './types.js';


/** Linux bridges accept at most BR_MAX_PORTS (1024) ports. */
export const BR_MAX_PORTS = 1024;

const didYouMean = (name: string, known: Iterable<string>, what: string) => {
  const near = suggest(name, known);
  return near ? `did you mean "${near}"?` : `define ${what} "${name}", or fix the name`;
};

const references: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    for (const a of c.attachments) {
      if (!t.networks.has(a.network)) {
        out.push(diagAt(t.sources, attachmentPath(c, a), `unknown network "${a.network}"`, didYouMean(a.network, t.networks.keys(), 'network')));
      }
      // Only the list form can repeat a name (a map's keys are unique): one network, one interface.
      if (!c.networksAsMap && c.attachments.findIndex((b) => b.network === a.network) < a.index) {
        out.push(diagAt(t.sources, attachmentPath(c, a), `network "${a.network}" is listed twice`,
          'list each network once: a container has one interface on a network'));
      }
    }
    for (let i = 0; i < c.links.length; i++) {
      const l = c.links[i];
      if (!t.containers.has(l.container)) {
        out.push(diagAt(t.sources, ['containers', c.name, 'links', i], `unknown container "${l.container}"`, didYouMean(l.container, t.containers.keys(), 'container')));
      }
    }
    if (c.modeContainer !== undefined && !t.containers.has(c.modeContainer)) {
      out.push(diagAt(t.sources, ['containers', c.name, 'network_mode'], `unknown container "${c.modeContainer}"`,
        didYouMean(c.modeContainer, t.containers.keys(), 'container')));
    }
    if (c.host !== undefined && !t.hosts.has(c.host)) {
      out.push(diagAt(t.sources, ['containers', c.name, 'host'], `unknown host "${c.host}"`, didYouMean(c.host, t.hosts.keys(), 'host (under `hosts`)')));
    }
  }
  for (const n of t.networks.values()) {
    n.allowFrom.forEach((o, i) => {
      if (!t.networks.has(o)) out.push(diagAt(t.sources, ['networks', n.name, 'allow_from', i], `unknown network "${o}"`, didYouMean(o, t.networks.keys(), 'network')));
    });
    if (n.host !== undefined && !t.hosts.has(n.host)) {
      out.push(diagAt(t.sources, ['networks', n.name, 'host'], `unknown host "${n.host}"`, didYouMean(n.host, t.hosts.keys(), 'host (under `hosts`)')));
    }
  }
  return out;
};

/** container:<x> chains must end in a container that has its own namespace. */
const containerModeCycles: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    if (c.modeContainer === undefined) continue;
    const at = ['containers', c.name, 'network_mode'];
    if (c.modeContainer === c.name) {
      out.push(diagAt(t.sources, at, 'network_mode refers to the container itself', 'name another container, or use bridge'));
      continue;
    }
    const chain = [c.name];
    let cur: Container | undefined = t.containers.get(c.modeContainer);
    while (cur?.modeContainer !== undefined && !chain.includes(cur.name)) {
      chain.push(cur.name);
      cur = t.containers.get(cur.modeContainer);
    }
    if (cur && chain.includes(cur.name) && cur.name === c.name) {
      out.push(diagAt(t.sources, at, `network_mode forms a cycle: ${[...chain, c.name].join(' -> ')}`,
        'one container of the chain must have its own namespace (bridge or none mode)'));
    } else if (cur?.networkMode === 'host') {
      out.push(diagAt(t.sources, at, `container "${cur.name}" uses the host namespace`, 'use network_mode: host directly'));
    }
  }
  return out;
};

/** A path into a container's entry, built only when there is a problem to report (rules run at every edit). */
const inContainer = (c: Container, ...more: string[]) => ['containers', c.name, ...more];

const modes: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge' && c.attachments.length > 0) {
      const mode = c.networkMode === 'container' ? `container:${c.modeContainer}` : c.networkMode;
      out.push(diagAt(t.sources, inContainer(c, 'networks'), `network_mode ${mode} may not list networks`,
        c.networkMode === 'container' ? `the networks of "${c.modeContainer}" are shared; remove networks` : 'remove networks, or use network_mode: bridge'));
    }
    if (c.docker !== undefined && (c.netns !== undefined || c.pid !== undefined)) {
      out.push(diagAt(t.sources, inContainer(c, 'docker'), `docker and ${c.netns !== undefined ? 'netns' : 'pid'} are both given`,
        'keep one of them: ctnet finds a Docker container\'s namespace itself'));
    } else if (c.netns !== undefined && c.pid !== undefined) {
      out.push(diagAt(t.sources, inContainer(c, 'pid'), 'netns and pid are both given', 'keep one of them: a namespace is named by netns or by a process'));
    }
    const ownNs = c.networkMode === 'bridge' || c.networkMode === 'none';
    if (ownNs && c.netns === undefined && c.pid === undefined && c.docker === undefined) {
      out.push(diagAt(t.sources, inContainer(c), `container "${c.name}" has no namespace`,
        'add `netns: <name>` (with `create: true` to have ctnet create it), `pid: <process id>` or `docker: <container>`'));
    }
    if (c.create) {
      if (c.docker !== undefined) out.push(diagAt(t.sources, inContainer(c, 'create'), 'create: true with docker', 'Docker creates the namespace of its containers; remove create'));
      else if (c.pid !== undefined) out.push(diagAt(t.sources, inContainer(c, 'create'), 'create: true with pid', 'only a named netns can be created; remove create or use netns: <name>'));
      else if (c.netns === undefined) out.push(diagAt(t.sources, inContainer(c, 'create'), 'create: true without netns', 'add `netns: <name>` for the namespace to create'));
      else if (c.netns.startsWith('/')) out.push(diagAt(t.sources, inContainer(c, 'create'), `create: true with the path ${c.netns}`, 'only a named netns (under /run/netns) can be created; use a plain name or remove create'));
    }
    if (c.attachments.length > 1 && c.attachments.filter((a) => a.defaultRoute).length > 1) {
      out.push(diagAt(t.sources, inContainer(c, 'networks'), 'more than one network has default_route: true', 'set default_route: true on one network only'));
    }
  }
  return out;
};

/** Two containers that would each configure the same namespace would fight over it. */
const sharedNamespaces: Rule = (t) => {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge' && c.networkMode !== 'none') continue;
    const id = nsRefOf(t, c);
    if (id === undefined) continue;
    const prev = seen.get(id);
    if (prev !== undefined) {
      out.push(diagAt(t.sources, ['containers', c.name, c.docker !== undefined ? 'docker' : c.netns !== undefined ? 'netns' : 'pid'], c.docker !== undefined ? `Docker container "${c.docker}" is also used by container "${prev}"` : `namespace ${id} is also used by container "${prev}"`,
        `use network_mode: container:${prev} to share its namespace, or give this container its own netns`));
    } else seen.set(id, c.name);
  }
  return out;
};

const bridgePorts: Rule = (t) => {
  const count = new Map<string, number>();
  for (const c of t.containers.values()) for (const a of c.attachments) count.set(a.network, (count.get(a.network) ?? 0) + 1);
  return [...count].filter(([n, k]) => k > BR_MAX_PORTS && t.networks.has(n)).map(([n, k]) =>
    diagAt(t.sources, ['networks', n], `${k} containers are attached, a Linux bridge holds at most ${BR_MAX_PORTS}`,
      'split the containers over several networks'));
};

export const containerRules: Rule[] = [references, containerModeCycles, modes, sharedNamespaces, bridgePorts];
