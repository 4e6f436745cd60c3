// What bench/watch-idle.ts, bench/watch-edits.ts (and watch-bench.ts's flags) share: a sandbox host namespace with a topology of N
// containers (one bridge, `create: true`), `ctnet watch` in it as examples/ctnet-watch.service runs it, and
// the removal of everything (`ctnet destroy`, the namespaces, ctnet's records of the sandbox) at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The V8 flags the systemd unit gives the daemon (its NODE_OPTIONS), or NODE_FLAGS="..." to try others. */
export function flagsOfUnit(): string[] {
  if (process.env.NODE_FLAGS !== undefined) return process.env.NODE_FLAGS.split(' ').filter(Boolean);
  const unit = readFileSync(resolve(import.meta.dirname, '../../examples/ctnet-watch.service'), 'utf8'); // from dist/bench
  return (/^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1] ?? '').split(' ').filter(Boolean);
}

/** Killed (Ctrl-C, `timeout`, a closed terminal), a bench never reaches its `finally`: `remove` runs first, then
 *  the process exits as the signal would have ended it. Returns the function that takes the handlers off again.
 *  `on`, not `once`: `timeout` signals the process and then its group, and with no listener left Node restores
 *  the default action, so the second signal would kill the process halfway through `remove`. */
export function removeOnKill(remove: () => void): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (s: NodeJS.Signals) => { remove(); process.exit(128 + osConstants.signals[s]); };
  for (const s of signals) process.on(s, onSignal);
  return () => { for (const s of signals) process.off(s, onSignal); };
}

/** A log line of the daemon (JSON). */
export interface Line { msg: string; ts: string; trigger?: string; durationMs?: number; result?: string; error?: string }

export function sandbox(tag: string, n: number, main: string) {
  const P = `${tag}${randomBytes(2).toString('hex')}`, H = `${P}h`;
  const dir = mkdtempSync(join(tmpdir(), `${P}-`));
  // ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
  process.env.CTNET_CACHE_DIR ??= join(dir, 'cache');
  const file = join(dir, 't.yaml');
  const topology = (count: number) => ['version: 1', 'networks:', '  bench: { subnet: 10.60.0.0/16 }', 'containers:',
    ...Array.from({ length: count }, (_, i) => `  c${i}: { netns: ${P}${i}, create: true, networks: { bench: {} } }`)].join('\n') + '\n';
  spawnSync('ip', ['netns', 'add', H]);
  spawnSync('ip', ['-n', H, 'link', 'set', 'lo', 'up']);
  writeFileSync(file, topology(n));
  let daemon: ChildProcess | undefined;
  const unhook = removeOnKill(() => box.remove());
  const box = {
    file, topology,
    daemon(args: string[]) {
      const lines: Line[] = [];
      const d = spawn('nsenter', [`--net=/run/netns/${H}`, process.execPath, ...flagsOfUnit(), main, 'watch', '-f', file, '--debounce', '20', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      createInterface({ input: d.stdout! }).on('line', (l) => { try { lines.push(JSON.parse(l)); } catch { /* not ours */ } });
      const pid = () => Number(spawnSync('pgrep', ['-P', String(d.pid)]).stdout.toString().trim()) || d.pid; // node under nsenter
      daemon = d;
      return {
        lines,
        get pid() { return pid(); },
        async waitLine(pred: (l: Line) => boolean, from = 0): Promise<Line> {
          for (let i = 0; i < 6000; i++) { const hit = lines.slice(from).find(pred); if (hit) return hit; await sleep(10); }
          throw new Error('timeout waiting for the daemon');
        },
        /** Until no line came for `ms`. */
        async quiet(ms: number) { for (let k = -1; k !== lines.length;) { k = lines.length; await sleep(ms); } },
        async stop() { d.kill('SIGTERM'); await new Promise((r) => d.on('exit', r)); daemon = undefined; },
      };
    },
    remove() {
      daemon?.kill('SIGKILL');
      spawnSync('nsenter', [`--net=/run/netns/${H}`, process.execPath, main, 'destroy', '-f', file], { stdio: 'ignore' });
      for (let i = 0; i <= n + 1; i++) spawnSync('ip', ['netns', 'del', `${P}${i}`], { stdio: 'ignore' });
      spawnSync('ip', ['netns', 'del', H]);
      spawnSync('sh', ['-c', `rm -f /run/ctnet/netns/${P}* /run/ctnet/applied/*@ns-${H} /run/ctnet/files/*${P}*`]);
      rmSync(dir, { recursive: true, force: true });
      unhook();
    },
  };
  return box;
}
