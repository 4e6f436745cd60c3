// Real TCP/UDP traffic between sandbox namespaces with socat: servers answer
// "<name> <peer address>", so a test sees both which container answered and the
// source address it saw (masquerade). Servers are killed by pid in afterAll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export class Servers {
  private procs: ChildProcess[] = [];

  /** A TCP or UDP echo-who server on `port` in namespace `ns`. */
  start(ns: string, name: string, proto: 'tcp' | 'udp', port: number, family: 4 | 6 = 4): void {
    const listen = proto === 'tcp' ? `TCP${family}-LISTEN:${port},fork,reuseaddr` : `UDP${family}-RECVFROM:${port},fork,reuseaddr`;
    // nsenter switches only the network namespace; `ip netns exec` also remounts /sys, which can
    // fail while other tests create and delete namespaces, and a server that died that way
    // would look like a firewall dropping traffic.
    const p = spawn('nsenter', [`--net=/run/netns/${ns}`, 'socat', listen, `SYSTEM:echo ${name} $SOCAT_PEERADDR`], { stdio: 'ignore', detached: true });
    this.procs.push(p);
  }

  stop(): void {
    for (const p of this.procs) if (p.pid) try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
    this.procs = [];
  }
}

/** Connects from ns and returns the server's answer, or '' when no attempt got one. A lost UDP
 *  datagram or a server forked too late on a busy machine is not a verdict, so up to `tries`
 *  attempts are made; a negative check ('' expected) therefore holds only if every attempt fails. */
export function ask(ns: string, proto: 'tcp' | 'udp', addr: string, port: number, tries = 3): string {
  for (let i = 0; i < tries; i++) {
    const got = askOnce(ns, proto, addr, port);
    if (got) return got;
  }
  return '';
}

function askOnce(ns: string, proto: 'tcp' | 'udp', addr: string, port: number): string {
  const host = addr.includes(':') ? `[${addr}]` : addr;
  // TCP reads only (-u): sending and half-closing races the server's answer. UDP must send a datagram to be seen.
  const args = proto === 'tcp' ? ['-T1', '-u', `TCP:${host}:${port},connect-timeout=1`, '-'] : ['-T1', '-', `UDP:${host}:${port}`];
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, 'socat', ...args], { input: 'x\n', encoding: 'utf8', timeout: 5000 });
  return (r.stdout ?? '').trim();
}

/** Waits until a server answers (socat needs a moment to bind); a server that never does is a
 *  broken test setup, reported as such rather than as a failed traffic check later on. */
export async function ready(ns: string, proto: 'tcp' | 'udp', addr: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (askOnce(ns, proto, addr, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`test server ${proto}/${port} in namespace ${ns} did not answer on ${addr} within 10 s`);
}
