// Sockets bound on the host (from /proc/net/{tcp,tcp6,udp,udp6} of the host
// namespace), so a published port that shadows a host service can be warned
// about. Read inside the namespace with a synchronous read: /proc/thread-self/net
// is the calling thread's namespace. The owning process is looked up only for the
// ports asked about (scanning /proc/*/fd is the expensive part).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { NsRef } from '../model/state.js';
import type { NsCtx } from './nsctx.js';
import type { Listener } from './port.js';

const TCP_LISTEN = '0A';

function hexAddr(hex: string): string {
  if (hex.length === 8) return [0, 1, 2, 3].map((i) => parseInt(hex.slice(6 - 2 * i, 8 - 2 * i), 16)).join('.');
  // IPv6: four 32-bit words, each in host (little-endian) byte order.
  const bytes: string[] = [];
  for (let w = 0; w < 4; w++) for (let i = 3; i >= 0; i--) bytes.push(hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2));
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(parseInt(bytes[i] + bytes[i + 1], 16).toString(16));
  return groups.join(':').replace(/\b(?:0:)+0\b|^0:(?:0:)*0$/, ':').replace(/:{3,}/, '::');
}

function parse(text: string, proto: 'tcp' | 'udp', family: 4 | 6): (Listener & { inode: string })[] {
  const out: (Listener & { inode: string })[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (proto === 'tcp' && f[3] !== TCP_LISTEN) continue;
    if (proto === 'udp' && f[2] !== '00000000:0000' && !f[2].endsWith(':0000')) continue; // connected: not a server
    const [addr, port] = f[1].split(':');
    out.push({ proto, family, addr: hexAddr(addr), port: parseInt(port, 16), inode: f[9] });
  }
  return out;
}

function ownerOf(inodes: Set<string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[] = [];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      let target = '';
      try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]) && !found.has(m[1])) {
        let comm = '?';
        try { comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { /* gone */ }
        found.set(m[1], `${comm} (pid ${pid})`);
      }
    }
  }
  return found;
}

export async function listListeners(ctx: NsCtx, ns: NsRef, ports: number[]): Promise<Listener[]> {
  const wanted = new Set(ports);
  const all = ctx.enter(ns, () => {
    const read = (f: string) => { try { return readFileSync(`/proc/thread-self/net/${f}`, 'utf8'); } catch { return ''; } };
    return [...parse(read('tcp'), 'tcp', 4), ...parse(read('tcp6'), 'tcp', 6), ...parse(read('udp'), 'udp', 4), ...parse(read('udp6'), 'udp', 6)];
  }).filter((l) => wanted.has(l.port));
  const owners = all.length ? ownerOf(new Set(all.map((l) => l.inode))) : new Map<string, string>();
  return all.map(({ inode, ...l }) => (owners.has(inode) ? { ...l, owner: owners.get(inode)! } : l));
}
