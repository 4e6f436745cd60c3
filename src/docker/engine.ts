// The Docker Engine API (also served by Podman) over its unix socket: inspect a container, and follow the
// container events. Plain node:http rather than dockerode: ctnet needs two GET requests, and dockerode
// brings docker-modem, ssh2 and tar-fs (and, through ssh2, an optional native addon) into a package that
// must install without a compiler. The API version is left out of the paths: the engine then answers with
// its own, and both endpoints have kept their shape since API 1.24 (Docker 1.12).
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { builtin } from '../builtin.js';

// node:http is required at the first request, not imported: every apply and plan loads this module (it
// resolves Docker containers when the topology names any), and on Node 22 importing node:http as an ES
// module evaluates all its exports, WebSocket's lazy undici among them (~19 ms of each command).
function request(options: RequestOptions, callback: (res: IncomingMessage) => void): ClientRequest {
  return builtin<typeof import('node:http')>('node:http').request(options, callback);
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The engine's socket: --docker-host, else DOCKER_HOST, else /var/run/docker.sock. Only unix sockets:
 *  a TCP engine is on another machine, whose namespaces ctnet could not enter anyway. */
export function engineSocket(given = process.env.CTNET_DOCKER_HOST ?? process.env.DOCKER_HOST): string {
  if (!given) return DEFAULT_SOCKET;
  if (given.startsWith('unix://')) return given.slice('unix://'.length);
  if (given.startsWith('/')) return given;
  throw new EngineError(`docker host "${given}": only a local unix socket (unix:///path) can be used: ctnet enters the containers' namespaces on this machine`);
}

export class EngineError extends Error {}

/** What ctnet needs of a container: whether it runs, its process (whose namespace is the container's), and
 *  the files the engine bind-mounts as its /etc/hosts and /etc/resolv.conf. */
export interface EngineContainer {
  id: string;
  name: string;
  running: boolean;
  status: string;
  pid: number;
  hostsPath?: string;
  resolvConfPath?: string;
  /** The engine's own handle on the container's namespace (a bind mount of it, e.g. /var/run/docker/netns/<id>):
   *  it names that namespace for as long as the container runs, and never another process's. */
  sandboxKey?: string;
}

export interface ContainerEvent { action: string; id: string; name: string }

const TIMEOUT_MS = 5000;

export class Engine {
  constructor(readonly socket = engineSocket()) {}

  get address(): string { return `unix://${this.socket}`; }

  /** The container, or undefined when the engine has none of that name or id. */
  async inspect(ref: string): Promise<EngineContainer | undefined> {
    const { status, body } = await this.get(`/containers/${encodeURIComponent(ref)}/json`);
    if (status === 404) return undefined;
    if (status !== 200) throw new EngineError(`Docker engine at ${this.address}: inspect "${ref}" answered ${status}: ${messageOf(body)}`);
    const c = JSON.parse(body);
    return {
      id: c.Id, name: String(c.Name ?? '').replace(/^\//, ''), running: c.State?.Running === true, status: c.State?.Status ?? 'unknown',
      pid: c.State?.Pid ?? 0, hostsPath: c.HostsPath || undefined, resolvConfPath: c.ResolvConfPath || undefined,
      sandboxKey: c.NetworkSettings?.SandboxKey || undefined,
    };
  }

  /** The running containers (`show` reads the namespaces of the ones ctnet attached through them). */
  async running(): Promise<EngineContainer[]> {
    const { status, body } = await this.get('/containers/json');
    if (status !== 200) throw new EngineError(`Docker engine at ${this.address}: list answered ${status}: ${messageOf(body)}`);
    const all = await Promise.all((JSON.parse(body) as { Id: string }[]).map((c) => this.inspect(c.Id)));
    return all.filter((c): c is EngineContainer => !!c?.running && c.pid > 0);
  }

  /** Follow container start/die/destroy/rename events until close() or the connection ends (`onEnd`, with
   *  the error if any: the caller reconnects, and reads everything again since events may be lost). */
  events(onEvent: (e: ContainerEvent) => void, onEnd: (err?: Error) => void): { close(): void } {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start', 'die', 'destroy', 'rename', 'create'] }));
    let closed = false;
    let ended = false;
    const end = (err?: Error) => { if (!ended && !closed) { ended = true; onEnd(err); } };
    const req = request({ socketPath: this.socket, path: `/events?filters=${filters}`, method: 'GET' }, (res) => {
      if (res.statusCode !== 200) { res.resume(); end(new EngineError(`Docker engine at ${this.address}: events answered ${res.statusCode}`)); return; }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          try {
            const e = JSON.parse(line);
            onEvent({ action: String(e.Action ?? e.status ?? ''), id: String(e.Actor?.ID ?? e.id ?? ''), name: String(e.Actor?.Attributes?.name ?? '') });
          } catch { /* not an event: ignore the line */ }
        }
      });
      res.on('end', () => end());
      res.on('error', (err) => end(err));
    });
    req.on('error', (err) => end(err));
    req.end();
    return { close: () => { closed = true; req.destroy(); } };
  }

  private get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socket, path, method: 'GET', timeout: TIMEOUT_MS }, (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new EngineError(`Docker engine at ${this.address} did not answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) => reject(err instanceof EngineError ? err : new EngineError(`cannot reach the Docker engine at ${this.address}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
      req.end();
    });
  }
}

function messageOf(body: string): string {
  try { return JSON.parse(body).message ?? body; } catch { return body.slice(0, 200); }
}
