import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, type PassOutcome, type Trigger } from './scheduler.js';
import type { Scope } from './scope.js';

const OK: PassOutcome = { ok: true, retry: false, applied: 0 };

function harness(outcomes: (PassOutcome | Error)[] = [], passMs = 10) {
  const runs: { trigger: Trigger; triggers: Trigger[]; reload: boolean }[] = [];
  let active = 0;
  let maxActive = 0;
  const errors: unknown[] = [];
  const s = new Scheduler(async (trigger, triggers, reload) => {
    active++;
    maxActive = Math.max(maxActive, active);
    runs.push({ trigger, triggers, reload });
    await new Promise((r) => setTimeout(r, passMs));
    active--;
    const o = outcomes.shift() ?? OK;
    if (o instanceof Error) throw o;
    return o;
  }, { onError: (e) => errors.push(e) });
  return { s, runs, errors, maxActive: () => maxActive };
}

describe('watch scheduler', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('debounces a burst of file events into one reload', async () => {
    const h = harness();
    for (let i = 0; i < 100; i++) {
      h.s.request('file', 150, { reload: true, debounce: true });
      await vi.advanceTimersByTimeAsync(9);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.runs).toEqual([{ trigger: 'file', triggers: ['file'], reload: true }]);
  });

  it('keeps debouncing a burst that goes on while a pass runs', async () => {
    const h = harness([], 300);
    h.s.request('start');
    await vi.advanceTimersByTimeAsync(5);
    for (let i = 0; i < 50; i++) { // 50 writes, 10 ms apart, all during and after the 300 ms pass
      h.s.request('file', 150, { reload: true, debounce: true });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.runs.map((r) => r.trigger)).toEqual(['start', 'file']);
  });

  it('never overlaps passes and folds triggers that arrive during a pass into one follow-up', async () => {
    const h = harness([], 100);
    h.s.request('start', 0, { reload: true });
    await vi.advanceTimersByTimeAsync(5);
    h.s.request('resync');
    h.s.request('file', 0, { reload: true });
    h.s.request('sighup', 0, { reload: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.maxActive()).toBe(1);
    expect(h.runs.map((r) => r.trigger)).toEqual(['start', 'sighup']);
    expect(h.runs[1].triggers).toEqual(['sighup', 'file', 'resync']);
    expect(h.runs[1].reload).toBe(true);
  });

  it('turns kernel events during and right after an applying pass into one verify pass', async () => {
    const h = harness([{ ok: true, retry: false, applied: 3 }], 50);
    h.s.request('kernel');
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 20; i++) h.s.request('kernel'); // our own echoes
    await vi.advanceTimersByTimeAsync(60);
    h.s.request('kernel'); // a late echo, inside the echo window
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.runs.map((r) => r.trigger)).toEqual(['kernel', 'verify']);
  });

  it('retries failures with exponential backoff capped at 30 s, and resets after a success', async () => {
    const fail: PassOutcome = { ok: false, retry: true, applied: 0 };
    const h = harness([fail, fail, fail, fail, fail, fail, fail, fail, OK], 0);
    h.s.request('start');
    const times: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 1500 && h.runs.length < 9; i++) {
      const n = h.runs.length;
      await vi.advanceTimersByTimeAsync(100);
      if (h.runs.length > n) times.push(Date.now() - t0);
    }
    expect(h.runs.slice(1).every((r) => r.trigger === 'retry')).toBe(true);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    expect(h.s.failureCount).toBe(0);
  });

  it('does not retry a problem only an edit can fix', async () => {
    const h = harness([{ ok: false, retry: false, applied: 0 }]);
    h.s.request('file', 0, { reload: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.runs.length).toBe(1);
  });

  it('survives a pass that throws and keeps scheduling', async () => {
    const h = harness([new Error('boom')]);
    h.s.request('start');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.errors.length).toBe(1);
    h.s.request('file', 0, { reload: true });
    await vi.advanceTimersByTimeAsync(1000); // the retry of the crash is folded in or follows
    expect(h.runs.map((r) => r.trigger)).toContain('file');
  });

  it('stop() waits for the pass in progress and schedules nothing after', async () => {
    const h = harness([], 200);
    h.s.request('start');
    await vi.advanceTimersByTimeAsync(10);
    let stopped = false;
    void h.s.stop().then(() => { stopped = true; });
    h.s.request('file');
    await vi.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.runs.length).toBe(1);
  });

  it('merges what folded kernel events are about; any other trigger makes the pass full', async () => {
    const scopes: Scope[] = [];
    const s = new Scheduler(async (_t, _ts, _r, scope) => { scopes.push(scope); return OK; });
    s.request('kernel', 2, { scope: { ns: new Set(['/run/netns/a']) } });
    s.request('kernel', 2, { scope: { labels: new Set(['b']), hostLinks: new Set(['vb']) } });
    await vi.advanceTimersByTimeAsync(100);
    expect(scopes[0]).toMatchObject({ full: false, ns: new Set(['/run/netns/a']), labels: new Set(['b']), hostLinks: new Set(['vb']) });
    s.request('kernel', 2, { scope: { nft: true } });
    s.request('resync');
    await vi.advanceTimersByTimeAsync(100);
    expect(scopes[1]).toMatchObject({ full: true, nft: true });
    s.request('kernel', 2); // an event that does not say what it is about
    await vi.advanceTimersByTimeAsync(100);
    expect(scopes[2].full).toBe(true);
    await s.stop();
  });

  it('retries a failed pass with the scope it asks for (a drift pass), else as a full pass', async () => {
    const scopes: Scope[] = [];
    const outcomes: PassOutcome[] = [
      { ok: false, retry: true, applied: 3, retryScope: { ns: new Set(['/run/netns/a']) } },
      { ok: false, retry: true, applied: 0 },
    ];
    const s = new Scheduler(async (_t, _ts, _r, scope) => { scopes.push(scope); return outcomes.shift() ?? OK; });
    s.request('kernel', 0, { scope: { ns: new Set(['/run/netns/a']) } });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(scopes.length).toBe(3);
    expect(scopes[1]).toMatchObject({ full: false, ns: new Set(['/run/netns/a']) });
    expect(scopes[2].full).toBe(true);
    await s.stop();
  });

  it('a pass that another trigger starts before the retry is due also covers what the failed pass was about', async () => {
    const scopes: Scope[] = [];
    const outcomes: PassOutcome[] = [{ ok: false, retry: true, applied: 1, retryScope: { ns: new Set(['/run/netns/a']) } }];
    const s = new Scheduler(async (_t, _ts, _r, scope) => { scopes.push(scope); return outcomes.shift() ?? OK; });
    s.request('kernel', 0, { scope: { ns: new Set(['/run/netns/a']) } });
    await vi.advanceTimersByTimeAsync(100); // failed; retry due in 500 ms
    s.request('kernel', 0, { scope: { ns: new Set(['/run/netns/b']) } });
    await vi.advanceTimersByTimeAsync(100); // runs now, succeeds, and cancels the retry
    await vi.advanceTimersByTimeAsync(5_000);
    expect(scopes.length).toBe(2);
    expect(scopes[1].ns).toEqual(new Set(['/run/netns/b', '/run/netns/a']));
    await s.stop();
  });
});
