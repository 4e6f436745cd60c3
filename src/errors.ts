// Every error class of ctnet, and the one renderer that turns any error into the
// lines an operator reads: the CLI prints them (src/cli/report.ts), the watch
// daemon logs them (src/watch/passes.ts). Known errors say what, where and what to
// do; only an error none of these classes describes is a bug in ctnet.
import type { Conflict, Step } from './model/ops.js';
import type { NsRef } from './model/state.js';

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

/** A wrong command line (a missing -f, a value that is not a number): the operator's to fix. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) { super(message); }
}

/** The metrics address cannot be served: an operator error, reported without a stack. */
export class ListenError extends Error {
  constructor(message: string, readonly hint: string) { super(message); }
}

/** A kernel rejection or socket failure with its errno name (EEXIST, ENODEV, ETIMEDOUT...). */
export class NlError extends Error {
  constructor(readonly errno: string, message: string) {
    super(message);
  }
}

/** Errnos after which the same request may succeed (the kernel was busy), or a new plan will (what the
 *  plan was made against changed meanwhile: a tamper racing the apply). nmstate's `can_retry`. ENETUNREACH:
 *  the plan checks every route's next hop against the namespace's addresses (plan/nexthops.ts), so at apply
 *  time it means the address went meanwhile (`ip addr flush` deletes again in rounds until it finds none). */
const RETRYABLE = new Set(['ETIMEDOUT', 'ENOBUFS', 'EBUSY', 'EAGAIN', 'EINTR', 'ENODEV', 'ENOENT', 'ESRCH', 'EEXIST', 'ENETUNREACH']);

/** A kernel request failed. `errno` is the symbolic name (EEXIST, ENODEV, ...). */
export class KernelError extends Error {
  /** The plan step it failed in (set by apply), so the error names the object and the namespace. */
  step?: { op: string; key: string; ns?: NsRef };

  constructor(
    readonly action: string,          // "create veth vct1234 in host"
    readonly errno: string | undefined,
    readonly detail: string,
    readonly advice?: string,
  ) {
    super(`${action}: ${detail}${advice ? ` (${advice})` : ''}`);
  }

  /** Retrying (the request, or a new plan) can help: the host changed or was busy, not the input. */
  get canRetry(): boolean {
    return this.errno !== undefined && RETRYABLE.has(this.errno);
  }
}

/** Something ctnet would have to change is not ctnet's. Raised before any change. */
export class ConflictError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflicts.map((c) => c.message).join('\n'));
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

/** Another ctnet process holds the host (TOPOLOGY.md "One writer at a time"). Nothing was changed. */
export class LockError extends Error {
  constructor(readonly kind: string, readonly holder: { pid: number; command: string; files?: string[] } | undefined, readonly waitedMs: number) {
    const who = holder ? `pid ${holder.pid}: ${holder.command}` : 'a process that did not say who it is';
    super(kind.startsWith('watch:')
      ? `another ctnet watch (${who}) already manages project "${kind.slice('watch:'.length)}" on this host`
      : `another ctnet (${who}) is changing this host${waitedMs ? `; waited ${Math.round(waitedMs / 100) / 10} s` : ''}`);
  }
}

/** `ctnet watch` manages the host: apply and destroy would fight it. Nothing was changed. */
export class ManagedError extends Error {
  constructor(readonly holder: { pid: number; command: string; files?: string[] }, readonly project = 'default') {
    super(`ctnet watch (pid ${holder.pid}${holder.files?.length ? `, files ${holder.files.join(', ')}` : ''}) manages project "${project}" on this host`);
  }
}

/** `apply --plan`: the host changed since the plan was made. Nothing was changed. */
export class StalePlanError extends Error {
  constructor(readonly path: string) {
    super(`stale plan: the host changed since ${path} was made`);
  }
}

const REPORT = 'This is a bug in ctnet. Please report it with the command you ran, `ctnet --version`, and the output of `CTNET_DEBUG=1 ctnet ...`.';

export interface Rendered {
  /** What went wrong, one line each (error: …, hints, what state the host is in). */
  lines: string[];
  /** The located input problems, for machine-readable logs. */
  diagnostics?: Diagnostic[];
  /** True only for an error none of ctnet's classes describes. */
  bug: boolean;
}

/** Any error as the lines an operator reads. */
export function renderError(err: unknown): Rendered {
  const lines: string[] = [];
  if (err instanceof SpecError) {
    for (const d of err.diagnostics) lines.push(...formatDiagnostic(d).split('\n'));
    lines.push('The topology is invalid; nothing was changed.');
    return { lines, diagnostics: err.diagnostics, bug: false };
  }
  if (err instanceof ConflictError) {
    for (const c of err.conflicts) lines.push(`error: conflict: ${c.message}`, ...(c.hint ? [`  hint: ${c.hint}`] : []));
    lines.push('Nothing was changed: ctnet never modifies objects it does not own.');
  } else if (err instanceof ApplyError) {
    lines.push(`error: ${err.message}`);
    if (err.undoErrors.length === 0) lines.push('All changes of this apply were undone; the host is as it was before.');
    else {
      lines.push('error: some changes could not be undone:', ...err.undoErrors.map((u) => `  - ${u.message}`));
      lines.push('Run `ctnet plan` to see what differs, then `ctnet apply` again.');
    }
  } else if (err instanceof VerifyError) {
    lines.push(`error: verify: ${err.message}:`);
    for (const s of err.remaining) lines.push(`  ${s.action} ${s.key}  ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);
    lines.push('The changes of this apply were undone. Something else may be changing the same objects.');
  } else if (err instanceof UsageError || err instanceof ListenError) {
    lines.push(`error: ${err.message}`, ...(err.hint ? [`  hint: ${err.hint}`] : []));
  } else if (err instanceof LockError) {
    lines.push(`error: ${err.message}`, err.kind.startsWith('watch:') ? '  hint: one daemon per project: stop the other one first, or give this one files of other projects' : '  hint: wait for it to finish, or give it longer with --lock-timeout SECONDS', 'Nothing was changed.');
  } else if (err instanceof ManagedError) {
    lines.push(`error: ${err.message}: apply and destroy would fight it`, '  hint: edit its files (it applies every change), or stop it first (systemctl stop ctnet-watch)', 'Nothing was changed.');
  } else if (err instanceof StalePlanError) {
    lines.push(`error: ${err.message}`, '  hint: make the plan again (`ctnet plan -f FILE --out PLAN`), review it, and apply that one', 'Nothing was changed.');
  } else if (err instanceof KernelError || err instanceof NlError) {
    lines.push(`error: ${err.message}`);
  } else {
    const e = err as Error;
    lines.push(`internal error: ${e?.message ?? String(err)}`, REPORT);
    return { lines, bug: true };
  }
  return { lines, bug: false };
}
