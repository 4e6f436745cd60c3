// Sandbox namespaces for root tests. Every test makes its own "host" namespace
// (and container namespaces) with a unique prefix, runs ctnet inside it, and
// removes everything afterwards, so the machine's root namespace is never touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';

export const isRoot = process.getuid?.() === 0;

/** Why a root test is skipped, in its title, so a skipped run says so instead of passing quietly. */
const WHY = 'skipped: needs root, to create network namespaces (run `sudo npm test`)';
export const rootTitle = (title: string): string => (isRoot ? title : `${title} [${WHY}]`);

/** A short unique prefix: netns names and link names must stay short. */
export function uniquePrefix(tag = 't'): string {
  return `ct${tag}${randomBytes(3).toString('hex')}`;
}

export function sh(cmd: string, args: string[], opts: { ns?: string; input?: string; allowFail?: boolean } = {}) {
  const full = opts.ns ? ['netns', 'exec', opts.ns, cmd, ...args] : args;
  const bin = opts.ns ? 'ip' : cmd;
  const r = spawnSync(bin, full, { encoding: 'utf8', input: opts.input, timeout: 60_000 });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${bin} ${full.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function addNetns(name: string): void {
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes every namespace whose name starts with prefix, and their /etc/netns dirs. Never throws. */
export function cleanupPrefix(prefix: string): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (name && name.startsWith(prefix)) spawnSync('ip', ['netns', 'del', name]);
  }
  // Per-host records are named <project>@ns-<host namespace name>: the sandbox host's name has the prefix.
  for (const dir of ['/etc/netns', '/run/ctnet/netns', '/run/ctnet/routes', '/run/ctnet/applied']) {
    const ls = spawnSync('ls', [dir], { encoding: 'utf8' }).stdout ?? '';
    for (const n of ls.split('\n')) {
      if ((n.startsWith(prefix) || n.includes(`@ns-${prefix}`)) && existsSync(`${dir}/${n}`)) rmSync(`${dir}/${n}`, { recursive: true, force: true });
    }
  }
  // ctnet's records of the files it managed for these namespaces (named by the encoded file path).
  const records = spawnSync('ls', ['/run/ctnet/files'], { encoding: 'utf8' }).stdout ?? '';
  for (const n of records.split('\n')) if (n && decodeURIComponent(n).includes(`/${prefix}`)) rmSync(`/run/ctnet/files/${n}`, { force: true });
}

/** Ping from one namespace to an address; true if one reply arrives within the timeout. */
export function ping(ns: string, address: string, count = 1): boolean {
  const args = [address.includes(':') ? '-6' : '-4', '-c', String(count), '-W', '1', '-i', '0.2', address];
  return sh('ping', args, { ns, allowFail: true }).status === 0;
}
