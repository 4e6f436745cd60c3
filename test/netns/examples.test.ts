// Every shipped example validates, applies in a sandbox host, plans empty afterwards,
// plans empty again from what `ctnet show` prints of it, and is destroyed cleanly
// (nmstate's examples_test). Namespace names get a unique prefix: /run/netns is shared by every test on the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';

const DIR = resolve(import.meta.dirname, '../../examples');
const examples = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

/** A multi-host example's routes need this host on the hosts' segment: an uplink (a veth
 *  inside the sandbox, foreign to ctnet) with the host's address. */
function uplink(sbx: Sandbox, address: string): void {
  sh('ip', ['-n', sbx.hostNs, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'uplink-p']);
  sh('ip', ['-n', sbx.hostNs, 'addr', 'add', `${address}/24`, 'dev', 'uplink']);
  sh('ip', ['-n', sbx.hostNs, 'link', 'set', 'uplink', 'up']);
  sh('ip', ['-n', sbx.hostNs, 'link', 'set', 'uplink-p', 'up']);
}

/** Multi-host examples are applied as their first host. */
function hostArgs(text: string): string[] {
  const hosts = Object.keys(parse(text).hosts ?? {});
  return hosts.length ? ['--host', hosts[0]] : [];
}

function prefixed(text: string, prefix: string): string {
  const doc = parse(text);
  for (const c of Object.values<Record<string, unknown>>(doc.containers ?? {})) {
    if (typeof c.netns === 'string' && !c.netns.startsWith('/')) c.netns = prefix + c.netns;
  }
  return stringify(doc);
}

describe.skipIf(!isRoot)(rootTitle('examples'), () => {
  it.each(examples)('%s applies, re-plans empty and destroys', (name) => {
    const sbx = new Sandbox('e').create();
    try {
      const text = readFileSync(join(DIR, name), 'utf8');
      const file = sbx.topology(name, prefixed(text, sbx.prefix));
      const host = hostArgs(text);
      if (host.length) uplink(sbx, parse(text).hosts[host[1]].address);
      const before = sbx.snapshot();
      const v = sbx.ctnet(['validate', '-f', file]);
      expect(v.stderr).toBe('');
      const a = sbx.ctnet(['apply', '-f', file, ...host]);
      expect(a.stderr).toBe('');
      expect(a.status).toBe(0);
      const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode', ...host]);
      expect(p.stdout).toContain('No changes');
      expect(p.status).toBe(0);
      // What show says back plans empty too (issue 17: show round-trips for every example).
      const shown = sbx.ctnet(['show']);
      expect(shown.stderr).toBe('');
      const again = sbx.ctnet(['plan', '-f', sbx.topology(`shown-${name}`, shown.stdout), '--detailed-exitcode']);
      expect(again.stdout).toContain('No changes');
      expect(again.status).toBe(0);
      expect(sbx.ctnet(['destroy']).status).toBe(0);
      expect(sbx.snapshot()).toBe(before);
      expect(sbx.netnsList()).toEqual([]);
    } finally {
      sbx.destroy();
    }
  });
});
