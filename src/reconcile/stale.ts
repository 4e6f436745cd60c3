// When a failed reconcile is worth one more read and plan: the daemon's passes and `ctnet apply` ask the same.
import { ApplyError, KernelError, VerifyError } from '../errors.js';

/** An apply undone after the kernel said the host is not as read (nmstate's `can_retry`: a device gone, a
 *  name taken, the kernel busy), not that the request is wrong, or after its verify found the kernel without
 *  what was just done (a tamper still going on): a new read and plan can succeed. Whatever the undo could not
 *  do (the tamper may have removed what it was to remove: EADDRNOTAVAIL), the second plan is made from a
 *  fresh read, so it is right. */
export function hostChangedUnder(err: unknown): err is ApplyError | VerifyError {
  return err instanceof VerifyError || (err instanceof ApplyError && err.cause instanceof KernelError && err.cause.canRetry);
}
