// Turns any error into the message an operator reads. Known errors say what,
// where and what to do; anything else is a bug in ctnet and says so.
import {
  ApplyError, ConflictError, InternalError, KernelError, SpecError, VerifyError, formatDiagnostic,
} from '../errors.js';
import type { Output } from './output.js';

const REPORT = 'This is a bug in ctnet. Please report it with the command you ran, `ctnet --version`, and the output of `CTNET_DEBUG=1 ctnet ...`.';

export function reportError(err: unknown, out: Output): number {
  if (err instanceof SpecError) {
    for (const d of err.diagnostics) out.err(formatDiagnostic(d));
    out.err('The topology is invalid; nothing was changed.');
  } else if (err instanceof ConflictError) {
    for (const c of err.conflicts) out.err(`error: conflict: ${c}`);
    out.err('Nothing was changed: ctnet never modifies objects it does not own.');
  } else if (err instanceof ApplyError) {
    out.err(`error: ${err.message}`);
    if (err.undoErrors.length === 0) out.err('All changes of this apply were undone; the host is as it was before.');
    else {
      out.err('error: some changes could not be undone:');
      for (const u of err.undoErrors) out.err(`  - ${u.message}`);
      out.err('Run `ctnet plan` to see what differs, then `ctnet apply` again.');
    }
  } else if (err instanceof VerifyError) {
    out.err(`error: verify: ${err.message}:`);
    for (const s of err.remaining) out.err(`  ${s.action} ${s.key}  ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);
    out.err('The changes of this apply were undone. Something else may be changing the same objects.');
  } else if (err instanceof KernelError) {
    out.err(`error: ${err.message}`);
  } else if (err instanceof InternalError) {
    out.err(`internal error: ${err.message}\n${REPORT}`);
  } else {
    const e = err as Error;
    out.err(`internal error: ${e?.message ?? String(err)}\n${REPORT}`);
  }
  if (process.env.CTNET_DEBUG && err instanceof Error) out.err(String(err.stack));
  return 1;
}
