// What the status page shows of a daemon's recent past: its last passes, its last repairs and
// the problems of its files as last reported. Bounded: an old entry falls off the end.
import type { Diagnostic } from '../errors.js';
import { repairKind, type PassReport } from './passes.js';
import type { Trigger } from './scheduler.js';
import { isIdlePass } from './report.js';

const KEEP = 20;

export interface PassEntry { at: string; trigger: Trigger; result: PassReport['result']; durationMs: number; steps: number; scope: string; error?: string }
export interface RepairEntry { at: string; kind: string; key: string; action: string; reason: string }

export class History {
  readonly passes: PassEntry[] = [];
  readonly repairs: RepairEntry[] = [];
  diagnostics: Diagnostic[] = [];

  record(trigger: Trigger, triggers: readonly Trigger[], ms: number, r: PassReport, filesValid: boolean): void {
    const at = new Date().toISOString();
    // The daemon's own no-op checks would push every real pass off the list within a minute.
    if (!isIdlePass(r, triggers)) {
      push(this.passes, {
        at, trigger, result: r.result, durationMs: Math.round(ms * 10) / 10, steps: r.steps.length,
        scope: !r.targeted ? 'full' : r.targeted.length ? `${r.targeted.length} namespace(s)` : 'host', ...(r.error ? { error: r.error.slice(0, 500) } : {}),
      });
    }
    for (const s of r.repairs) push(this.repairs, { at, kind: repairKind(s), key: s.key, action: s.action, reason: s.reason });
    if (r.diagnostics) this.diagnostics = r.diagnostics.slice(0, KEEP);
    else if (filesValid) this.diagnostics = [];
  }
}

function push<T>(list: T[], e: T): void {
  list.unshift(e);
  if (list.length > KEEP) list.length = KEEP;
}
