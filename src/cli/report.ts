// Prints any error through the one renderer (src/errors.ts) and picks the exit code.
import { renderError } from '../errors.js';
import type { Output } from './output.js';

export function reportError(err: unknown, out: Output): number {
  for (const line of renderError(err).lines) out.err(line);
  if (process.env.CTNET_DEBUG && err instanceof Error) out.err(String(err.stack));
  return 1;
}
