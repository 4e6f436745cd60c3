// Memory the garbage collector let go of, given back to the system. Buffers of the netlink package (every
// event) are malloc'ed in C and freed when their JS objects are collected; glibc keeps what is freed inside its
// heaps (only what lies at the very top goes back by itself). When the daemon still read 1000 namespaces through
// it, that was ~10 MB resident for nothing (bench/RESULTS-watch.md, third sitting); the event stream still goes
// through it (requests no longer do: native/nlreq.c).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { native } from './setns.js';

const isFullGc = (e: unknown) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

/** After each full collection (the only one that finalises old buffers), once things are quiet for a second,
 *  trim the C heap. Returns a stop function. A trim walks the heap once: a few ms, a few times an hour. */
export function trimAfterFullGc(trim: () => unknown = () => native().mallocTrim(), quietMs = 1000): () => void {
  let timer: NodeJS.Timeout | undefined;
  const observer = new PerformanceObserver((list) => {
    if (timer || !list.getEntries().some(isFullGc)) return;
    timer = setTimeout(() => {
      timer = undefined;
      try { trim(); } catch { /* an addon without it (an older build): nothing to give back */ }
    }, quietMs);
    timer.unref();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (timer) clearTimeout(timer);
  };
}
