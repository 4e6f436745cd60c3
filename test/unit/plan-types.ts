// Re-exports so test helpers import types from one place.
export type { Kernel } from '../../src/kernel/port.js';
export type { Operation, Plan, Step } from '../../src/model/ops.js';
