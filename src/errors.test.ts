import { describe, expect, it } from 'vitest';
import { ConflictError, KernelError, SpecError, UsageError, renderError } from './errors.js';

describe('one error renderer for the CLI and the daemon', () => {
  it('keeps the positions of diagnostics', () => {
    const r = renderError(new SpecError([{ severity: 'error', file: 't.yaml', line: 5, col: 14, path: 'networks.web.gateway', message: 'not inside subnet', hint: 'fix it' }]));
    expect(r.lines).toEqual(['error: t.yaml:5:14: networks.web.gateway: not inside subnet', '  hint: fix it', 'The topology is invalid; nothing was changed.']);
    expect(r.diagnostics?.[0].line).toBe(5);
    expect(r.bug).toBe(false);
  });
  it('renders conflicts from their structure, hints included', () => {
    const r = renderError(new ConflictError([{ key: 'bridge/web', message: 'bridge "br0" cannot be created', hint: 'set `bridge_name`' }]));
    expect(r.lines).toEqual(['error: conflict: bridge "br0" cannot be created', '  hint: set `bridge_name`', 'Nothing was changed: ctnet never modifies objects it does not own.']);
  });
  it('a wrong option is the operator\'s mistake, not a bug', () => {
    const r = renderError(new UsageError('--port "x": expected a port number (1-65535)'));
    expect(r).toEqual({ lines: ['error: --port "x": expected a port number (1-65535)'], bug: false });
  });
  it('only an unknown error is reported as a bug', () => {
    expect(renderError(new Error('boom')).bug).toBe(true);
    expect(renderError(new KernelError('add link "x"', 'EEXIST', 'File exists')).bug).toBe(false);
  });
  it('a kernel error says whether retrying can help', () => {
    expect(new KernelError('a', 'ENOBUFS', 'd').canRetry).toBe(true);
    expect(new KernelError('a', 'ENODEV', 'd').canRetry).toBe(true);
    expect(new KernelError('a', 'ENETUNREACH', 'd').canRetry).toBe(true);
    expect(new KernelError('a', 'EINVAL', 'd').canRetry).toBe(false);
    expect(new KernelError('a', 'EPERM', 'd').canRetry).toBe(false);
  });
});
