// Level-based scheduling: every trigger (file, kernel event, timer, signal)
// says "reconcile soon" and which parts of the host it is about (model/parts.ts);
// the pass decides what to do from what it reads then. The parts of folded
// triggers are united; a trigger that names nothing asks for all of them (a full
// pass). Guarantees: one pass at a time (p-queue, concurrency 1), at most one
// pending pass into which every trigger that arrives meanwhile is folded, and no
// exception escapes. This is the only retry loop: a failed pass is retried with
// exponential backoff (capped), first about the parts it says (a tamper racing
// a repair is the usual cause), and after MAX_TARGETED_RETRIES such failures in
// a row as a full pass.
// Self-echo: applying changes makes the kernel notify us about our own work.
// Kernel events that arrive while a pass runs, or within ECHO_MS after a pass
// that changed something, are folded into ONE follow-up "verify" pass; it
// finds an empty plan unless something else really changed meanwhile.
import PQueue from 'p-queue';
import { ALL, NONE, union, type Parts } from '../model/parts.js';

export type Trigger = 'start' | 'sighup' | 'file' | 'docker' | 'nft' | 'netns' | 'kernel' | 'hostsfile' | 'resync' | 'retry' | 'verify';
/** Highest priority first: the trigger a pass is logged and counted under. */
const PRIORITY: Trigger[] = ['start', 'sighup', 'file', 'docker', 'nft', 'netns', 'kernel', 'hostsfile', 'resync', 'retry', 'verify'];
/** Triggers our own changes cause too: during a pass, or just after one that changed something, they are echoes. */
const KERNEL: ReadonlySet<Trigger> = new Set(['kernel', 'nft', 'netns', 'hostsfile']);
/** Triggers that may start a pass while a failed one backs off: something a person did that can fix it. */
const EAGER: ReadonlySet<Trigger> = new Set(['start', 'sighup', 'file', 'docker']);

export interface PassOutcome {
  ok: boolean;
  /** false for problems only an edit can fix (an invalid topology): wait for the next trigger. */
  retry: boolean;
  /** Steps applied: a pass that changed nothing produces no echoes. */
  applied: number;
  /** What the retry of a failed pass must read and plan (default: a full pass). */
  retryParts?: Parts;
}

/** Failed passes retried about the parts they name before a full pass is forced. */
export const MAX_TARGETED_RETRIES = 2;

/** `parts`: what the folded triggers said the pass is about. */
export type PassFn = (trigger: Trigger, triggers: Trigger[], reload: boolean, parts: Parts) => Promise<PassOutcome>;

export interface SchedulerOptions {
  echoMs?: number;
  backoffMs?: number;
  backoffCapMs?: number;
  onError?: (err: unknown) => void;
}

export class Scheduler {
  private readonly queue = new PQueue({ concurrency: 1 });
  private pending = new Set<Trigger>();
  private reload = false;
  private parts: Parts = NONE;
  private timer?: NodeJS.Timeout;
  private dueAt = Infinity;
  private retryTimer?: NodeJS.Timeout;
  private running = false;
  private echoUntil = 0;
  private notBefore = 0;
  private failures = 0;
  private stopped = false;
  private readonly echoMs: number;
  private readonly backoffMs: number;
  private readonly capMs: number;

  constructor(private readonly pass: PassFn, private readonly opts: SchedulerOptions = {}) {
    this.echoMs = opts.echoMs ?? 50;
    this.backoffMs = opts.backoffMs ?? 500;
    this.capMs = opts.backoffCapMs ?? 30_000;
  }

  /** Ask for a pass in `delayMs`. `debounce` restarts the wait on every call (file bursts);
   *  otherwise an earlier deadline is kept so a steady event stream cannot starve the pass. */
  request(t: Trigger, delayMs = 0, opts: { reload?: boolean; debounce?: boolean; parts?: Parts } = {}): void {
    if (this.stopped) return;
    const now = Date.now();
    // A trigger that does not say what it is about asks for a full pass.
    this.parts = union(this.parts, opts.parts ?? ALL);
    if (KERNEL.has(t) && (this.running || now < this.echoUntil)) {
      t = 'verify';
      delayMs = Math.max(delayMs, this.echoUntil - now);
    }
    this.pending.add(t);
    if (opts.reload) this.reload = true;
    // While a failed pass backs off, kernel events (most of them its own undo) and resyncs wait for the
    // retry, which covers their parts: otherwise every echo of a failure is a new failing pass (a hot loop).
    if (this.held(t)) return;
    if (this.running) {
      // finished() arms the timer; a debounced trigger (a burst of writes still going on) keeps its quiet time.
      if (opts.debounce) this.notBefore = Math.max(this.notBefore, now + delayMs);
      return;
    }
    this.arm(delayMs, opts.debounce ?? false);
  }

  private arm(delayMs: number, debounce: boolean): void {
    const due = Date.now() + delayMs;
    if (this.timer && !debounce && this.dueAt <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => this.fire(), delayMs);
  }

  private fire(): void {
    this.timer = undefined;
    this.dueAt = Infinity;
    if (this.stopped || this.queue.size > 0) return; // the waiting pass will take these triggers
    void this.queue.add(() => this.runOne());
  }

  private async runOne(): Promise<void> {
    if (this.pending.size === 0) return;
    const triggers = PRIORITY.filter((t) => this.pending.has(t));
    const reload = this.reload;
    const parts = this.parts;
    this.pending.clear();
    this.reload = false;
    this.parts = NONE;
    this.running = true;
    let outcome: PassOutcome = { ok: false, retry: true, applied: 0 };
    try {
      outcome = await this.pass(triggers[0], triggers, reload, parts);
    } catch (err) {
      this.opts.onError?.(err); // never let one error end the loop
    } finally {
      this.running = false;
    }
    this.finished(outcome, reload);
  }

  private finished(o: PassOutcome, reload: boolean): void {
    if (this.stopped) return;
    if (o.applied > 0) this.echoUntil = Date.now() + this.echoMs;
    if (o.ok) {
      this.failures = 0;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    } else if (o.retry) {
      this.failures++;
      // Retried about its own parts a few times, then from scratch.
      const retryParts = o.retryParts && this.failures <= MAX_TARGETED_RETRIES ? o.retryParts : ALL;
      // Whatever pass runs next is about the failed one's parts too: a pass that another trigger starts
      // before the backoff ends, and succeeds, cancels the retry timer, and must not leave them behind.
      this.parts = union(this.parts, retryParts);
      const wait = Math.min(this.capMs, this.backoffMs * 2 ** (this.failures - 1));
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        // A failed reload must be retried as a reload: the files may have been mid-write.
        this.request('retry', 0, { reload, parts: retryParts });
      }, wait);
    }
    if ([...this.pending].some((t) => !this.held(t))) this.arm(Math.max(0, this.echoUntil - Date.now(), this.notBefore - Date.now()), false);
    this.notBefore = 0;
  }

  private held(t: Trigger): boolean {
    return this.retryTimer !== undefined && !EAGER.has(t);
  }

  /** Consecutive failed passes (for backoff tests and logs). */
  get failureCount(): number { return this.failures; }

  get busy(): boolean { return this.running || this.queue.size > 0 || this.timer !== undefined; }

  /** Stop scheduling; resolves when a pass in progress has finished (never interrupt an apply). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.queue.clear();
    await this.queue.onIdle();
  }
}
