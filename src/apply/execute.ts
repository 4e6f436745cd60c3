// Runs a plan through a Kernel, phase by phase. Steps of one phase are
// independent (the planner guarantees it), so they run concurrently up to a
// bound: the kernel work is ~1 ms per container and most of a sequential apply
// would be waiting on round trips. Every step that succeeded goes into a journal;
// on the first failure the phase is drained and the journal is undone in reverse,
// so the host returns to its state before the apply.
import PQueue from 'p-queue';
import { ApplyError, KernelError } from '../errors.js';
import type { Kernel } from '../kernel/port.js';
import type { Operation, Plan, Step } from '../model/ops.js';
import type { NsRef } from '../model/state.js';
import { undoAll } from '../plan/inverse.js';
import { phaseOf } from '../plan/order.js';

/** Milliseconds, for durations. Not performance.now(): the global `performance` loads Node's perf_hooks at its
 *  first use (~1 ms of every apply). */
const now = () => Number(process.hrtime.bigint()) / 1e6;

export interface ExecuteOptions {
  /** Concurrent steps within one phase. */
  concurrency?: number;
  /** Called after each successful step (logging, progress). */
  onStep?: (step: Step, ms: number) => void;
  /** destroy: keep going past failures and report them all, never roll back. */
  bestEffort?: boolean;
}

export interface ExecuteResult {
  done: Step[];
  ms: number;
  /** Only with bestEffort: the steps that failed. */
  failed: { step: Step; error: Error }[];
}

export async function execute(kernel: Kernel, plan: Plan, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  const t0 = now();
  const journal: Step[] = [];
  const phases = groupByPhase(plan.steps);
  const queue = new PQueue({ concurrency: opts.concurrency ?? 32 });
  const failed: ExecuteResult['failed'] = [];
  for (const steps of phases) {
    let failure: { step: Step; err: Error } | undefined;
    await Promise.all(
      steps.map((step) =>
        queue.add(async () => {
          if (failure) return; // stop feeding the kernel once a step failed
          const s0 = now();
          try {
            await kernel.run(step.op);
            journal.push(step);
            opts.onStep?.(step, now() - s0);
          } catch (err) {
            // The error names the object and namespace it failed on, whatever layer raised it.
            if (err instanceof KernelError) err.step ??= { op: step.op.op, key: step.key, ns: nsOf(step.op) };
            if (opts.bestEffort) failed.push({ step, error: err as Error });
            else failure ??= { step, err: err as Error };
          }
        }),
      ),
    );
    if (failure) {
      const undoErrors = await rollback(kernel, journal);
      throw new ApplyError(failure.step, plan.steps.indexOf(failure.step), plan.steps.length, failure.err, undoErrors);
    }
  }
  return { done: journal, ms: now() - t0, failed };
}

/** Undo the journal, one operation at a time; collect every failure instead of stopping at one. First
 *  what the apply made or changed is taken back, newest first (a namespace's contents before the
 *  namespace); then what it deleted is made again in the planner's phase order: deletes of one phase ran
 *  concurrently and finished in any order, and a namespace must be back before the second name that
 *  shares it, a veth before its addresses. */
export async function rollback(kernel: Kernel, journal: Step[]): Promise<Error[]> {
  const errors: Error[] = [];
  const newestFirst = [...journal].reverse();
  const inverses = (steps: Step[]) => steps.flatMap((step) => undoAll(step.op).map((op) => ({ step, op, phase: phaseOf(op) })));
  const remade = inverses(newestFirst.filter((s) => isDelete(s.op))).sort((a, b) => a.phase - b.phase);
  for (const { step, op } of [...inverses(newestFirst.filter((s) => !isDelete(s.op))), ...remade]) {
    try {
      await kernel.run(op);
    } catch (err) {
      errors.push(new Error(`undo ${step.op.op} ${step.key}: ${(err as Error).message}`));
    }
  }
  return errors;
}

function groupByPhase(steps: Step[]): Step[][] {
  const byPhase = new Map<number, Step[]>();
  for (const s of steps) {
    const list = byPhase.get(s.phase) ?? [];
    list.push(s);
    byPhase.set(s.phase, list);
  }
  return [...byPhase.keys()].sort((a, b) => a - b).map((p) => byPhase.get(p)!);
}

/** The namespace an operation acts in (a hosts file and a namespace itself: the host's). */
function nsOf(op: Operation): NsRef | undefined {
  if ('ns' in op) return op.ns;
  return 'ns' in op.obj ? op.obj.ns : undefined;
}

/** Operations that remove something (their undo makes it again). */
function isDelete(op: Operation): boolean {
  return op.op === 'netns.delete' || op.op === 'link.delete' || op.op === 'addr.delete' || op.op === 'route.delete'
    || op.op === 'hosts.delete' || (op.op === 'nft.apply' && op.obj === undefined);
}
