// Each pass as one JSON log line, each drift repair as one more, and the same
// facts as metrics.
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { repairKind, type PassReport } from './passes.js';
import type { Trigger } from './scheduler.js';

export function reportPass(log: Logger, metrics: Metrics, files: string[], filesValid: boolean,
  trigger: Trigger, triggers: Trigger[], ms: number, r: PassReport): void {
  if (r.diagnostics?.length) {
    const level = r.diagnostics.some((d) => d.severity === 'error') ? 'error' : 'warn';
    log.log(level, 'topology', { valid: filesValid, files, diagnostics: r.diagnostics });
  }
  for (const s of r.repairs) {
    const kind = repairKind(s);
    metrics.repairs.inc({ kind });
    log.log('info', 'drift repaired', { kind, key: s.key, action: s.action, reason: s.reason, detail: s.detail, trigger });
  }
  for (const ns of r.isolated ?? []) {
    log.log('error', 'isolated', { namespace: ns, error: r.error, hint: 'it keeps failing: every other container is still converged and repaired; it is retried alone, with backoff' });
  }
  for (const ns of r.released ?? []) log.log('info', 'released', { namespace: ns });
  metrics.reconciles.inc({ trigger, result: r.result });
  metrics.duration.observe(ms / 1000);
  if (r.result === 'converged') metrics.lastSuccess.set(Date.now() / 1000);
  log.log(r.result === 'converged' ? 'info' : 'error', 'reconcile', {
    trigger, triggers, durationMs: Math.round(ms * 10) / 10, scope: r.targeted ? { namespaces: r.targeted.length } : 'full',
    steps: r.steps.map((s) => ({ action: s.action, key: s.key, reason: s.reason, detail: s.detail })),
    result: r.result, ...(r.error ? { error: r.error } : {}),
  });
}
