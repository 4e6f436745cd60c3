// `ctnet watch -f DIR` manages every project its files name: one Daemon (daemon.ts) per project,
// each with its own watch lock, triggers, passes and DNS, sharing one metrics endpoint. The fleet
// looks at the files as a whole: a project that appears gets a daemon; a project whose files are
// all gone is removed from the host (as a container removed from a file is), under its own lock so
// that no apply slips in between; projects no file names are never touched.
import { createKernel, thisProcess } from '../kernel/index.js';
import { LockError } from '../errors.js';
import { ALL } from '../model/parts.js';
import { HOST, type DesiredState } from '../model/state.js';
import { reconcile } from '../reconcile/index.js';
import { loadFiles } from '../spec/index.js';
import { groupByProject } from '../spec/project.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { Daemon, type WatchOptions } from './daemon.js';
import { watchFiles } from './files.js';
import { errorText, withFields, type Logger } from './log.js';
import { Metrics, type Health } from './metrics.js';
import { statusOf, type StatusDoc } from './status.js';

export class Fleet {
  readonly metrics = new Metrics();
  private readonly daemons = new Map<string, Daemon>();
  private closeWatcher?: () => unknown;
  /** Regroupings run one after the other. */
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: WatchOptions, private readonly log: Logger) {}

  /** Start a daemon for each project the files name (`default` when they name none, or cannot be read:
   *  its daemon reports why). Fails only when no project could be taken (another daemon has them all). */
  async start(): Promise<void> {
    const projects = await this.projects();
    let refused: unknown;
    for (const p of projects.length ? projects : [DEFAULT_PROJECT]) {
      try { await this.add(p); } catch (err) { refused ??= err; this.log.log('error', 'project not managed', { project: p, error: errorText(err) }); }
    }
    if (this.daemons.size === 0 && refused) throw refused;
    const w = watchFiles(this.opts.files, () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => { this.chain = this.chain.then(() => this.regroup()); }, (this.opts.debounceMs ?? 150) + 50);
    }, this.log);
    this.closeWatcher = () => w.close();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.closeWatcher?.();
    await this.chain;
    for (const d of this.daemons.values()) await d.stop();
    this.daemons.clear();
  }

  status(): StatusDoc { return statusOf(this.daemons.values()); }

  health(): Health {
    const list = [...this.daemons.values()];
    const healthy = list.length > 0 && list.every((d) => d.healthy);
    if (list.length === 1) return { healthy, detail: { project: list[0].project, ...list[0].health() } };
    return { healthy, detail: { projects: Object.fromEntries(list.map((d) => [d.project, d.health()])) } };
  }

  private async projects(): Promise<string[]> {
    const read = await loadFiles(this.opts.files);
    return [...groupByProject(read.files).keys()].sort();
  }

  private async add(project: string): Promise<void> {
    const d = new Daemon(this.opts, withFields(this.log, { project }), await createKernel({ events: true }), project, this.metrics);
    try {
      await d.start();
    } catch (err) {
      await d.release();
      throw err;
    }
    this.daemons.set(project, d);
  }

  /** The files changed: start daemons for new projects, remove projects no file names any more. */
  private async regroup(): Promise<void> {
    let now: string[];
    try { now = await this.projects(); } catch { return; } // unreadable for now: the daemons report it
    if (now.length === 0) return; // every file gone at once is more likely a mount or a rename in progress
    for (const p of now) {
      if (this.daemons.has(p)) continue;
      try { await this.add(p); } catch (err) {
        this.log.log('error', err instanceof LockError ? 'project managed by another daemon' : 'project not managed', { project: p, error: errorText(err) });
      }
    }
    for (const [p, d] of [...this.daemons]) if (!now.includes(p)) await this.remove(p, d);
  }

  /** Stop the project's daemon, keeping its lock, and remove the project from the host. */
  private async remove(project: string, d: Daemon): Promise<void> {
    this.daemons.delete(project);
    await d.stop(true);
    try {
      const nothing: DesiredState = { objects: new Map(), origin: new Map(), nsLabels: new Map([[HOST, 'host']]), ...(project !== DEFAULT_PROJECT ? { project } : {}) };
      const write = await d.kernel.lock('write', thisProcess(this.opts.files), 60_000);
      try {
        const r = await reconcile(d.kernel, nothing, { parts: ALL });
        if (r.error) throw r.error;
        await d.kernel.writeApplied(project, {});
        this.log.log('info', 'project removed', { project, steps: r.done.length, durationMs: Math.round(r.ms) });
      } finally {
        write.release();
      }
    } catch (err) {
      this.log.log('error', 'project removal failed', { project, error: errorText(err), hint: `remove it with ctnet destroy -p ${project}` });
    } finally {
      await d.release();
    }
  }
}
