// A `ctnet watch` process inside a sandbox host, with its JSON log lines
// collected, for the watch tests and the benchmark. Not a test file itself.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Sandbox } from '../helpers/ctnet.js';

export interface LogLine { msg: string; level: string; trigger?: string; result?: string; [k: string]: unknown }

export class Daemon {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;

  /** The tests see every pass and step (`--log-level debug`) unless args set a level themselves. */
  constructor(sbx: Sandbox, args: string[], env: Record<string, string> = {}) {
    this.proc = sbx.spawnCtnet(['watch', ...(args.includes('--log-level') ? [] : ['--log-level', 'debug']), ...args], env);
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      try { this.lines.push(JSON.parse(l)); } catch { this.lines.push({ msg: 'non-json', level: 'error', text: l }); }
    });
    this.proc.stderr!.on('data', (d) => { this.stderr += String(d); });
    this.exited = new Promise((r) => this.proc.on('exit', (code) => r(code)));
  }

  reconciles(): LogLine[] {
    return this.lines.filter((l) => l.msg === 'reconcile');
  }

  /** Wait until a log line (from index `from` on) matches. */
  async waitLine(pred: (l: LogLine) => boolean, from = 0, ms = 10_000): Promise<LogLine> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no matching log line within ${ms} ms; stderr: ${this.stderr}\nlog tail:\n${this.lines.slice(-8).map((x) => JSON.stringify(x)).join('\n')}`);
      await sleep(25);
    }
  }

  /** Wait for quiet: no new reconcile line for `quietMs`. */
  async settle(quietMs = 400, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    let n = -1;
    while (Date.now() < end) {
      const now = this.reconciles().length;
      if (now === n && n > 0) return;
      n = now;
      await sleep(quietMs);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    this.proc.kill(signal);
    return this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll a synchronous check until it holds (e.g. a ping). */
export async function eventually(check: () => boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await sleep(50);
  }
}
