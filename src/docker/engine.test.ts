// The Engine API client against a stand-in engine on a unix socket (no Docker needed): inspect's answers
// (running, stopped, unknown, an error), the event stream split at awkward places, and a socket nobody serves.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, EngineError, engineSocket, type ContainerEvent } from './engine.js';

const dir = mkdtempSync(join(tmpdir(), 'ctnet-engine-'));
const socket = join(dir, 'docker.sock');
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/containers/web/json') {
      res.end(JSON.stringify({ Id: 'abc123', Name: '/web', State: { Running: true, Pid: 4242, Status: 'running' }, HostsPath: '/var/lib/docker/containers/abc123/hosts', ResolvConfPath: '/var/lib/docker/containers/abc123/resolv.conf' }));
    } else if (url === '/containers/db/json') {
      res.end(JSON.stringify({ Id: 'def456', Name: '/db', State: { Running: false, Pid: 0, Status: 'exited' }, HostsPath: '' }));
    } else if (url === '/containers/broken/json') {
      res.statusCode = 500;
      res.end(JSON.stringify({ message: 'engine on fire' }));
    } else if (url.startsWith('/events?filters=')) {
      // Two events and a half, in pieces that cut lines and JSON in the middle.
      const text = JSON.stringify({ Action: 'start', Actor: { ID: 'abc123', Attributes: { name: 'web' } } }) + '\n' +
        JSON.stringify({ status: 'die', id: 'def456', Actor: { Attributes: { name: 'db' } } }) + '\nnot json\n';
      res.write(text.slice(0, 17));
      setTimeout(() => { res.write(text.slice(17, 120)); setTimeout(() => res.end(text.slice(120)), 10); }, 10);
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'No such container' }));
    }
  });
  await new Promise<void>((r) => server.listen(socket, r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('Docker Engine API client', () => {
  it('inspects a running container, a stopped one, and one the engine does not have', async () => {
    const e = new Engine(socket);
    expect(await e.inspect('web')).toEqual({ id: 'abc123', name: 'web', running: true, status: 'running', pid: 4242,
      hostsPath: '/var/lib/docker/containers/abc123/hosts', resolvConfPath: '/var/lib/docker/containers/abc123/resolv.conf' });
    expect(await e.inspect('db')).toMatchObject({ running: false, status: 'exited', hostsPath: undefined });
    expect(await e.inspect('nope')).toBeUndefined();
    await expect(e.inspect('broken')).rejects.toThrow(/inspect "broken" answered 500: engine on fire/);
  });

  it('reads the event stream line by line, whatever the chunks', async () => {
    const got: ContainerEvent[] = [];
    await new Promise<void>((resolve) => new Engine(socket).events((ev) => got.push(ev), () => resolve()));
    expect(got).toEqual([{ action: 'start', id: 'abc123', name: 'web' }, { action: 'die', id: 'def456', name: 'db' }]);
  });

  it('says where it looked when nobody serves the socket', async () => {
    const e = new Engine(join(dir, 'none.sock'));
    const err = await e.inspect('web').catch((x) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe(`cannot reach the Docker engine at unix://${join(dir, 'none.sock')}: ENOENT`);
  });

  it('takes the socket from --docker-host / DOCKER_HOST, and refuses a TCP engine', () => {
    expect(engineSocket(undefined)).toBe('/var/run/docker.sock');
    expect(engineSocket('unix:///run/podman/podman.sock')).toBe('/run/podman/podman.sock');
    expect(() => engineSocket('tcp://10.0.0.1:2375')).toThrow(/only a local unix socket/);
  });
});
