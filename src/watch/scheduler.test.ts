import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TARGETED_RETRIES, Scheduler, type PassOutcome, type Trigger } from './scheduler.js';
import type { Part, Parts } from '../model/parts.js';

const parts = (...p: Part[]) => new Set<Part>(p);

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

  it('unites the parts folded kernel events are about; any other trigger makes the pass full', async () => {
    const seen: Parts[] = [];
    const s = new Scheduler(async (_t, _ts, _r, p) => { seen.push(p); return OK; });
    s.request('kernel', 2, { parts: parts('ns:/run/netns/a') });
    s.request('kernel', 2, { parts: parts('ctr:b', 'link:vb') });
    await vi.advanceTimersByTimeAsync(100);
    expect(seen[0]).toEqual(parts('ns:/run/netns/a', 'ctr:b', 'link:vb'));
    s.request('kernel', 2, { parts: parts('nft') });
    s.request('resync');
    await vi.advanceTimersByTimeAsync(100);
    expect(seen[1]).toEqual(parts('all'));
    s.request('kernel', 2); // an event that does not say what it is about
    await vi.advanceTimersByTimeAsync(100);
    expect(seen[2].has('all')).toBe(true);
    await s.stop();
  });

  it('retries a failed pass with the parts it asks for, else as a full pass', async () => {
    const seen: Parts[] = [];
    const outcomes: PassOutcome[] = [
      { ok: false, retry: true, applied: 3, retryParts: parts('ns:/run/netns/a') },
      { ok: false, retry: true, applied: 0 },
    ];
    const s = new Scheduler(async (_t, _ts, _r, p) => { seen.push(p); return outcomes.shift() ?? OK; });
    s.request('kernel', 0, { parts: parts('ns:/run/netns/a') });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen.length).toBe(3);
    expect(seen[1]).toEqual(parts('ns:/run/netns/a'));
    expect(seen[2].has('all')).toBe(true);
    await s.stop();
  });

  it(`escalates: after ${MAX_TARGETED_RETRIES} failed retries about their own parts, the next retry is a full pass`, async () => {
    const seen: Parts[] = [];
    const fail: PassOutcome = { ok: false, retry: true, applied: 1, retryParts: parts('ns:/run/netns/a') };
    const outcomes: PassOutcome[] = Array.from({ length: MAX_TARGETED_RETRIES + 1 }, () => fail);
    const s = new Scheduler(async (_t, _ts, _r, p) => { seen.push(p); return outcomes.shift() ?? OK; });
    s.request('kernel', 0, { parts: parts('ns:/run/netns/a') });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(seen.length).toBe(MAX_TARGETED_RETRIES + 2);
    for (let i = 1; i <= MAX_TARGETED_RETRIES; i++) expect(seen[i]).toEqual(parts('ns:/run/netns/a'));
    expect(seen[MAX_TARGETED_RETRIES + 1]).toEqual(parts('all'));
    await s.stop();
  });

  it('a pass that another trigger starts before the retry is due also covers what the failed pass was about', async () => {
    const seen: Parts[] = [];
    const outcomes: PassOutcome[] = [{ ok: false, retry: true, applied: 1, retryParts: parts('ns:/run/netns/a') }];
    const s = new Scheduler(async (_t, _ts, _r, p) => { seen.push(p); return outcomes.shift() ?? OK; });
    s.request('kernel', 0, { parts: parts('ns:/run/netns/a') });
    await vi.advanceTimersByTimeAsync(100); // failed; retry due in 500 ms
    s.request('kernel', 0, { parts: parts('ns:/run/netns/b') });
    await vi.advanceTimersByTimeAsync(100); // runs now, succeeds, and cancels the retry
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen.length).toBe(2);
    expect(seen[1]).toEqual(parts('ns:/run/netns/a', 'ns:/run/netns/b'));
    await s.stop();
  });

  it('echoes of a failed pass (and resyncs) wait for the backoff instead of starting failing passes; an edit does not wait', async () => {
    const seen: Trigger[][] = [];
    const fail: PassOutcome = { ok: false, retry: true, applied: 5, retryParts: parts('ns:/run/netns/a') };
    const outcomes: PassOutcome[] = [fail, fail];
    const s = new Scheduler(async (_t, ts) => { seen.push(ts); return outcomes.shift() ?? OK; });
    s.request('kernel', 0, { parts: parts('ns:/run/netns/a') });
    await vi.advanceTimersByTimeAsync(20); // the pass failed: retry due in 500 ms
    expect(seen.length).toBe(1);
    for (let i = 0; i < 20; i++) { s.request('kernel', 0, { parts: parts('ns:/run/netns/a') }); await vi.advanceTimersByTimeAsync(10); }
    s.request('resync', 0, { parts: parts('host') });
    await vi.advanceTimersByTimeAsync(200);
    expect(seen.length).toBe(1); // 400 ms of events and a resync: no pass before the backoff ends
    await vi.advanceTimersByTimeAsync(400);
    expect(seen.length).toBe(2); // the retry, with everything that waited folded into it
    expect(seen[1]).toEqual(expect.arrayContaining(['resync', 'retry']));
    // Failed again: backing off 1 s now, but an edit of the files starts a pass at once.
    s.request('file', 0, { reload: true, parts: parts() });
    await vi.advanceTimersByTimeAsync(20);
    expect(seen.length).toBe(3);
    expect(seen[2][0]).toBe('file');
    await s.stop();
  });
});
