// Test hooks: CTNET_FAIL_AT_STEP=N makes the N-th kernel operation of this
// process fail (after N-1 succeeded), CTNET_KILL_AFTER_STEP=K kills the process
// with SIGKILL right after its K-th operation succeeded (0: before the first),
// and CTNET_SLOW_STEP_MS=M delays every operation, so integration tests can prove
// that a failed apply is fully undone and that a crash at any point leaves only
// ctnet's own objects, which the next run converges. Operations count across the
// apply and its undo.
import { KernelError } from '../errors.js';
import type { Kernel } from '../kernel/port.js';

export function withFaultInjection(kernel: Kernel): Kernel {
  const failAt = Number(process.env.CTNET_FAIL_AT_STEP ?? 0);
  const killAfter = process.env.CTNET_KILL_AFTER_STEP === undefined ? -1 : Number(process.env.CTNET_KILL_AFTER_STEP);
  const slowMs = Number(process.env.CTNET_SLOW_STEP_MS ?? 0);
  if (!failAt && killAfter < 0 && !slowMs) return kernel;
  let n = 0; // operations started (steps of one phase run concurrently)
  let done = 0; // operations finished
  const kill = () => process.kill(process.pid, 'SIGKILL');
  // Every other method passes through unchanged, whatever the Kernel interface grows.
  return {
    ...kernel,
    async run(op) {
      if (killAfter === 0) kill();
      n += 1;
      if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
      if (n === failAt) throw new KernelError(`${op.op} (injected)`, 'EIO', 'injected failure (CTNET_FAIL_AT_STEP)');
      await kernel.run(op);
      if (++done === killAfter) kill();
    },
  };
}
