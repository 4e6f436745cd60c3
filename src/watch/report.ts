// Each pass as one JSON log line, each drift repair as one more, and the same
// facts as metrics. Lines stay small whatever the topology's size (journald cuts
// lines at 48 KB): a pass line lists at most LISTED steps and counts the rest, a
// pass lists at most LISTED repairs at info, diagnostics likewise; everything is
// also logged whole at debug, one small line per step. A pass that found nothing to
// do on a resync or a verify (the daemon's own periodic checks) is logged at debug.
import { clip, type Level, type Logger } from './log.js';
import { counts } from '../plan/render.js';
import type { Metrics } from './metrics.js';
import { repairKind, type PassReport } from './passes.js';
import type { Trigger } from './scheduler.js';

const LISTED = 20;
const QUIET: readonly Trigger[] = ['resync', 'verify'];

/** A pass of the daemon's own periodic checks (resync, verify) that found nothing to do: logged at debug,
 *  and left out of the status page's recent passes. */
export const isIdlePass = (r: PassReport, triggers: readonly Trigger[]): boolean =>
  r.result === 'converged' && r.steps.length === 0 && triggers.every((t) => QUIET.includes(t));

export function reportPass(log: Logger, metrics: Metrics, files: string[], filesValid: boolean,
  trigger: Trigger, triggers: Trigger[], ms: number, r: PassReport): void {
  if (r.diagnostics?.length) {
    const level = r.diagnostics.some((d) => d.severity === 'error') ? 'error' : 'warn';
    const shown = r.diagnostics.slice(0, LISTED).map((d) => ({ ...d, message: clip(d.message), hint: clip(d.hint) }));
    log.log(level, 'topology', { valid: filesValid, files, diagnostics: shown, ...more(r.diagnostics.length, 'moreDiagnostics') });
  }
  if (r.raced) {
    log.log('info', 'host changed during the pass', { error: clip(r.raced), trigger,
      hint: 'the kernel disagreed with what the plan was made against; the apply was undone, the host read again and planned once more' });
  }
  r.repairs.forEach((s, i) => {
    const kind = repairKind(s);
    metrics.repairs.inc({ kind });
    const level: Level = i < LISTED ? 'info' : 'debug';
    log.log(level, 'drift repaired', { kind, key: s.key, action: s.action, reason: s.reason, detail: clip(s.detail), trigger });
  });
  if (r.repairs.length > LISTED) log.log('info', 'drift repaired', { more: r.repairs.length - LISTED, trigger, hint: 'each one is logged at --log-level debug' });
  for (const ns of r.isolated ?? []) {
    log.log('error', 'isolated', { namespace: ns, error: r.error, hint: 'it keeps failing: every other container is still converged and repaired; it is retried alone, with backoff' });
  }
  for (const ns of r.released ?? []) log.log('info', 'released', { namespace: ns });
  metrics.reconciles.inc({ trigger, result: r.result });
  metrics.duration.observe(ms / 1000);
  if (r.result === 'converged') metrics.lastSuccess.set(Date.now() / 1000);
  const idle = isIdlePass(r, triggers);
  for (const s of r.steps) log.log('debug', 'step', { action: s.action, key: s.key, reason: s.reason, detail: clip(s.detail, 4000), trigger });
  const c = counts({ formatVersion: 1, steps: r.steps, conflicts: [] });
  log.log(r.result === 'converged' ? (idle ? 'debug' : 'info') : 'error', 'reconcile', {
    trigger, triggers, durationMs: Math.round(ms * 10) / 10, scope: r.targeted ? { namespaces: r.targeted.length } : 'full',
    changes: c, stepCount: r.steps.length,
    steps: r.steps.slice(0, LISTED).map((s) => ({ action: s.action, key: s.key, reason: s.reason, detail: clip(s.detail) })),
    ...more(r.steps.length, 'moreSteps'),
    result: r.result, ...(r.error ? { error: clip(r.error, 2000) } : {}),
  });
}

const more = (n: number, field: string) => (n > LISTED ? { [field]: n - LISTED } : {});
