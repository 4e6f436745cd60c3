// Runs the built CLI (dist/) as a real process inside a sandbox "host"
// namespace. nsenter --net switches only the network namespace, so the
// namespaces ctnet creates under /run/netns are real mounts visible to the
// test (`ip netns exec` would give ctnet a private mount namespace).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addNetns, cleanupPrefix, sh, uniquePrefix } from './sandbox.js';

/** What ships (package.json bin): the bundle of `npm run build`. */
const MAIN = resolve(import.meta.dirname, '../../dist/bundle/main.js');

export interface RunResult { status: number; stdout: string; stderr: string }

export class Sandbox {
  readonly prefix: string;
  readonly hostNs: string;
  readonly dir: string;

  constructor(tag = 'i') {
    this.prefix = uniquePrefix(tag);
    this.hostNs = `${this.prefix}h`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
  }

  create(): this {
    addNetns(this.hostNs);
    return this;
  }

  /** Writes a topology file; `{P}` in the text becomes this sandbox's prefix (unique netns names). */
  topology(name: string, yaml: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, yaml.replaceAll('{P}', this.prefix));
    return path;
  }

  /** ctnet's environment: its temporary files (the nft batch) in this sandbox's directory, which destroy()
   *  removes even when a test killed ctnet before it could (the crash tests do, at every step). */
  private env(env: Record<string, string>): NodeJS.ProcessEnv {
    return { ...process.env, TMPDIR: this.dir, ...env };
  }

  ctnet(args: string[], env: Record<string, string> = {}): RunResult {
    const r = spawnSync('nsenter', [`--net=/run/netns/${this.hostNs}`, process.execPath, MAIN, ...args], {
      // a plan of hundreds of containers is over spawnSync's default 1 MB of output
      encoding: 'utf8', env: this.env(env), timeout: 120_000, maxBuffer: 64 << 20,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Starts ctnet without waiting (for kill -9 tests). */
  spawnCtnet(args: string[], env: Record<string, string> = {}): ChildProcess {
    return spawn('nsenter', [`--net=/run/netns/${this.hostNs}`, process.execPath, MAIN, ...args], {
      env: this.env(env), stdio: 'pipe',
    });
  }

  /** `ip -j` output of the sandbox host (or a container namespace), for byte-for-byte comparisons. */
  ipj(what: 'link' | 'addr' | 'route' | 'route6', ns = this.hostNs): string {
    const args = what === 'route6' ? ['-6', 'route'] : [what];
    return sh('ip', ['-n', ns, '-j', ...args]).stdout;
  }

  /** A stable snapshot of the sandbox host's network (links, addresses, v4+v6 routes). */
  snapshot(ns = this.hostNs): string {
    // IPv6 DAD finishing ("tentative" dropping off a link-local address) is the kernel's
    // own timing, not a change by anyone: leave it out of the comparison.
    return ['link', 'addr', 'route', 'route6'].map((w) => this.ipj(w as 'link', ns)).join('\n').replaceAll('"tentative":true,', '');
  }

  netnsList(): string[] {
    const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
    return out.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(this.prefix) && n !== this.hostNs).sort();
  }

  destroy(): void {
    // ctnet's own destroy first (removes its links and namespaces, of every project), then everything with our prefix.
    try { this.ctnet(['destroy', '--all']); } catch { /* best effort */ }
    cleanupPrefix(this.prefix);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
