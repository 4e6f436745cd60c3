import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTexts } from '../spec/index.js';
import { nsRefOf } from '../spec/compile.js';
import type { Engine, EngineContainer } from './engine.js';
import { resolveDocker, type EngineCache } from './resolve.js';

const t = checkTexts([{ file: 't.yaml', text: `version: 1
hosts: { a: { address: 192.0.2.1 }, b: { address: 192.0.2.2 } }
networks: { n: { subnet: 10.9.0.0/24 } }
containers:
  web: { docker: web, networks: [n], links: [db] }
  db: { docker: db, networks: [n], hosts_file: /srv/db-hosts }
  gone: { docker: gone, networks: [n] }
  there: { docker: there, host: b, networks: [n] }
` }]).topology!;

function engine(state: Record<string, EngineContainer | undefined>) {
  const asked: string[] = [];
  const e = { address: 'unix:///x', inspect: async (ref: string) => { asked.push(ref); return state[ref]; } } as unknown as Engine;
  return { e, asked };
}
const running = (name: string, pid: number): EngineContainer => ({ id: `${name}-id`, name, running: true, status: 'running', pid, hostsPath: `/d/${name}/hosts`, resolvConfPath: `/d/${name}/resolv.conf` });

describe('docker: containers resolved through the engine', () => {
  it("takes a running container's process and files, keeps a given hosts_file, and leaves the others waiting", async () => {
    const { e, asked } = engine({ web: running('web', 101), db: running('db', 102) });
    const r = await resolveDocker(t, 'a', e);
    expect(asked.sort()).toEqual(['db', 'gone', 'web']); // `there` runs on host b
    const c = (n: string) => r.topology.containers.get(n)!;
    expect(nsRefOf(r.topology, c('web'))).toBe('/proc/101/ns/net');
    expect(c('web').hostsFile).toBe('/d/web/hosts');
    expect(c('web').resolvFile).toBe('/d/web/resolv.conf');
    expect(c('db').hostsFile).toBe('/srv/db-hosts');
    expect(nsRefOf(r.topology, c('gone'))).toBe('docker:gone');
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['containers.gone.docker: the Docker engine at unix:///x has no container "gone"']);
  });

  it("names the namespace by the engine's sandbox handle where it exists (a pid may be reused)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctnet-sbx-'));
    writeFileSync(join(dir, 'abc'), '');
    const { e } = engine({ web: { ...running('web', 101), sandboxKey: join(dir, 'abc') }, db: { ...running('db', 102), sandboxKey: join(dir, 'gone') } });
    const r = await resolveDocker(t, 'a', e);
    expect(nsRefOf(r.topology, r.topology.containers.get('web')!)).toBe(join(dir, 'abc'));
    expect(nsRefOf(r.topology, r.topology.containers.get('db')!)).toBe('/proc/102/ns/net'); // no handle: the process
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks again only about the containers named stale, with a cache', async () => {
    const state: Record<string, EngineContainer | undefined> = { web: running('web', 101), db: running('db', 102) };
    const { e, asked } = engine(state);
    const cache: EngineCache = new Map();
    await resolveDocker(t, 'a', e, cache);
    asked.length = 0;
    state.web = running('web', 201);
    const r = await resolveDocker(t, 'a', e, cache, new Set(['web']));
    expect(asked).toEqual(['web']);
    expect(r.topology.containers.get('web')!.pid).toBe(201);
    expect(r.topology.containers.get('db')!.pid).toBe(102);
    await resolveDocker(t, 'a', e, cache); // no stale set: all of them
    expect(asked.length).toBe(4);
  });
});
