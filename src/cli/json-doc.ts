// The JSON documents of `plan --json`, `apply --json` and `destroy --json`: one document on stdout
// whatever happens (invalid files, a conflict, a failed step), so a pipeline reads one format. Every
// document says which ctnet wrote it, for which project and host, and the warnings it printed.
import { ConflictError, renderError, SpecError, type Diagnostic } from '../errors.js';
import type { Plan, Step } from '../model/ops.js';
import { renderJson } from '../plan/render.js';
import { ctnetVersion } from '../package.js';

export type Result = 'converged' | 'no-changes' | 'invalid' | 'conflict' | 'failed' | 'destroyed';

export const diagnosticJson = (x: Diagnostic) => ({
  severity: x.severity, file: x.file ?? null, line: x.line ?? null, col: x.col ?? null, path: x.path, message: x.message, hint: x.hint ?? null,
});

export function envelope(fields: { project?: string; host?: string; warnings?: Diagnostic[] }): Record<string, unknown> {
  return {
    formatVersion: 1, ctnetVersion: ctnetVersion(), project: fields.project ?? null, host: fields.host ?? null,
    warnings: (fields.warnings ?? []).map(diagnosticJson),
  };
}

/** `plan --json`: the plan and its envelope. */
export function planDoc(plan: Plan, fields: { project?: string; host?: string; warnings?: Diagnostic[] }): string {
  return JSON.stringify({ ...envelope(fields), ...renderJson(plan) }, null, 2);
}

export const stepJson = (s: Step) => ({ phase: s.phase, action: s.action, key: s.key, reason: s.reason, detail: s.detail ?? null });

/** The result an error means, and the error as data: the same words the text output prints. */
export function errorDoc(err: unknown): { result: Result; error: { message: string; lines: string[] }; diagnostics?: unknown[] } {
  const r = renderError(err);
  const result: Result = err instanceof SpecError ? 'invalid' : err instanceof ConflictError ? 'conflict' : 'failed';
  const lines = r.lines;
  return {
    result, error: { message: (lines.find((l) => l.startsWith('error:')) ?? lines[0] ?? '').replace(/^error: /, ''), lines },
    ...(r.diagnostics ? { diagnostics: r.diagnostics.map(diagnosticJson) } : {}),
  };
}
