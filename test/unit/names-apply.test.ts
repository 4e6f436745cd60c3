// Hosts files through plan and apply on the fake kernel: written after the
// addresses, rewritten in the same apply when a linked container's address
// changes, foreign lines kept, and removed with the container (the file too
// when ctnet created it).
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { BEGIN, END, LOCALHOST_LINES } from '../../src/model/hosts-block.js';
import { observe, sysctlsOf } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { PHASES } from '../../src/plan/order.js';
import { renderText } from '../../src/plan/render.js';
import { checkTexts, compile, namespacesOf } from '../../src/spec/index.js';

const topo = (web2Ip: string, withWeb1 = true) => `version: 1
networks:
  front: { subnet: 10.40.0.0/24 }
containers:
${withWeb1 ? `  web1:
    netns: web1
    create: true
    networks: [front]
    links: ["web2:www"]
` : ''}  web2:
    netns: web2
    create: true
    networks:
      front: { ipv4_address: ${web2Ip} }
`;

async function planFor(k: FakeKernel, text: string) {
  const t = checkTexts([{ file: 't.yaml', text }]).topology!;
  const labels = namespacesOf(t);
  const first = await observe(k, labels);
  const desired = compile(t, first);
  const observed = await observe(k, labels, sysctlsOf(desired));
  return { desired, observed, p: plan(desired, observed) };
}

async function converge(k: FakeKernel, text: string) {
  const { desired, observed, p } = await planFor(k, text);
  await applyPlan(k, desired, observed, p);
  return p;
}

describe('hosts files through plan and apply (fake kernel)', () => {
  it('writes the block after the addresses, follows a re-addressed link in the same apply, then converges', async () => {
    const k = new FakeKernel();
    const p1 = await converge(k, topo('10.40.0.20'));
    const write = p1.steps.find((s) => s.op.op === 'hosts.write')!;
    expect(write.phase).toBe(PHASES.names);
    expect(Math.max(...p1.steps.filter((s) => s.op.op === 'addr.add').map((s) => s.phase))).toBeLessThan(write.phase);
    expect(k.fs.files.get('/etc/netns/web1/hosts')).toBe(`${LOCALHOST_LINES}\n${BEGIN}\n10.40.0.2\tweb1\n10.40.0.20\twww web2\n${END}\n`);

    // A foreign line added by the operator survives the rewrite.
    k.fs.files.set('/etc/netns/web1/hosts', k.fs.files.get('/etc/netns/web1/hosts') + '192.168.9.9\tmine\n');
    const { p: p2 } = await planFor(k, topo('10.40.0.21'));
    expect(renderText(p2)).toContain('~ hosts/web1');
    expect(renderText(p2)).toContain('+10.40.0.21 www web2, -10.40.0.20 www web2');
    await converge(k, topo('10.40.0.21'));
    expect(k.fs.files.get('/etc/netns/web1/hosts')).toContain('10.40.0.21\twww web2\n');
    expect(k.fs.files.get('/etc/netns/web1/hosts')).toMatch(/192\.168\.9\.9\tmine\n$/);
    expect((await planFor(k, topo('10.40.0.21'))).p.steps).toEqual([]);
  });

  it('removes the block with the container: the file goes only when ctnet created it and nothing else is left', async () => {
    const k = new FakeKernel();
    await converge(k, topo('10.40.0.20'));
    const p = await converge(k, topo('10.40.0.20', false));
    expect(p.steps.find((s) => s.key === 'hosts/web1')?.op.op).toBe('hosts.delete');
    expect(k.fs.files.has('/etc/netns/web1/hosts')).toBe(false);
    expect(await k.listHostsFiles()).toEqual([]);

    // A file that existed before ctnet keeps its own lines.
    const k2 = new FakeKernel();
    k2.fs.files.set('/etc/netns/web1/hosts', '10.9.9.9\tlegacy\n');
    await converge(k2, topo('10.40.0.20'));
    expect(k2.fs.files.get('/etc/netns/web1/hosts')).toMatch(new RegExp(`^${BEGIN.replace(/[()]/g, '\\$&')}\n`));
    await converge(k2, topo('10.40.0.20', false));
    expect(k2.fs.files.get('/etc/netns/web1/hosts')).toBe('10.9.9.9\tlegacy\n');
  });

  it('rewrites a block an operator deleted by hand', async () => {
    const k = new FakeKernel();
    await converge(k, topo('10.40.0.20'));
    k.fs.files.set('/etc/netns/web1/hosts', '# emptied\n');
    const { p } = await planFor(k, topo('10.40.0.20'));
    expect(p.steps.map((s) => `${s.op.op} ${s.key} ${s.reason}`)).toEqual(['hosts.write hosts/web1 drifted']);
    await converge(k, topo('10.40.0.20'));
    expect(k.fs.files.get('/etc/netns/web1/hosts')).toContain('www web2');
    expect(k.fs.files.get('/etc/netns/web1/hosts')).toContain('# emptied');
  });
});
