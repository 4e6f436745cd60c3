// Error classes. Only src/cli/main.ts prints them and picks exit codes.
import type { Step } from './model/ops.js';

/** A located input problem. `validate` collects all of them; none reaches the kernel. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  file?: string;
  line?: number;
  col?: number;
  path: string;            // dot path in the topology: networks.web.gateway
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.col ?? 1}` : ''}: ` : '';
  const head = `${d.severity}: ${where}${d.path ? d.path + ': ' : ''}${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export class SpecError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`${diagnostics.filter((d) => d.severity === 'error').length} problem(s) in the topology`);
  }
}

/** A kernel request failed. `errno` is the symbolic name (EEXIST, ENODEV, ...). */
export class KernelError extends Error {
  constructor(
    readonly action: string,          // "create veth vct1234 in host"
    readonly errno: string | undefined,
    readonly detail: string,
    readonly advice?: string,
  ) {
    super(`${action}: ${detail}${advice ? ` (${advice})` : ''}`);
  }
}

/** Something ctnet would have to change is not ctnet's. Raised before any change. */
export class ConflictError extends Error {
  constructor(readonly conflicts: string[]) {
    super(conflicts.join('\n'));
  }
}

export class VerifyError extends Error {
  constructor(readonly remaining: Step[]) {
    super(`${remaining.length} change(s) still pending after apply`);
  }
}

/** Apply failed at a step; `undoErrors` lists what could not be rolled back. */
export class ApplyError extends Error {
  constructor(
    readonly failedStep: Step,
    readonly index: number,
    readonly total: number,
    override readonly cause: Error,
    readonly undoErrors: Error[],
  ) {
    super(`apply step ${index + 1}/${total} (${failedStep.op.op} ${failedStep.key}): ${cause.message}`);
  }
}

/** A bug in ctnet. */
export class InternalError extends Error {}
