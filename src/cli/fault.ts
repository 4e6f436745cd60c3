// Test hook: CTNET_FAIL_AT_STEP=N makes the N-th kernel operation of this
// process fail (after N-1 succeeded), and CTNET_SLOW_STEP_MS=M delays every
// operation, so integration tests can prove that a failed apply is fully
// undone and that `kill -9` mid-apply leaves only ctnet's own objects.
import { KernelError } from '../errors.js';
import type { Kernel } from '../kernel/port.js';

export function withFaultInjection(kernel: Kernel): Kernel {
  const failAt = Number(process.env.CTNET_FAIL_AT_STEP ?? 0);
  const slowMs = Number(process.env.CTNET_SLOW_STEP_MS ?? 0);
  if (!failAt && !slowMs) return kernel;
  let n = 0;
  // Every other method passes through unchanged, whatever the Kernel interface grows.
  return {
    ...kernel,
    async run(op) {
      n += 1;
      if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
      if (n === failAt) throw new KernelError(`${op.op} (injected)`, 'EIO', 'injected failure (CTNET_FAIL_AT_STEP)');
      return kernel.run(op);
    },
  };
}
