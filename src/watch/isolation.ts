// A container whose part keeps failing (a foreign link in the way in its namespace,
// a kernel refusal that only a new topology can fix) must not hold every other
// container hostage: a failed pass is undone whole, so without this one bad
// container makes every healthy one flap, pass after pass. After STRIKES failed
// passes in a row that failed on that container's part only, it is isolated:
// every pass leaves its part out (neither planned nor touched), and it is tried
// again alone, with exponential backoff, until a pass about it converges.
// The host's own part (bridges, the nft table, sysctls) can never be isolated:
// its failures keep going through the scheduler's retries.
import { ApplyError, ConflictError, VerifyError } from '../errors.js';
import type { Operation, Step } from '../model/ops.js';
import { namespaceOf, nsByLabel, nsPart, valuesOf, type Part, type Parts } from '../model/parts.js';
import { HOST, type DesiredState, type NsRef, type OwnedObj } from '../model/state.js';

/** Failed passes in a row, on one container only, before it is isolated. */
const STRIKES = 2;
const BACKOFF_MS = 500;
const BACKOFF_CAP_MS = 30_000;

interface Isolated { failures: number; due: number; error: string }

export class Isolation {
  private readonly strikes = new Map<NsRef, number>();
  private readonly isolated = new Map<NsRef, Isolated>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The isolated containers (their namespaces). */
  get containers(): NsRef[] { return [...this.isolated.keys()].sort(); }

  /** When the next isolated container is due to be tried again (undefined: none is isolated). */
  get nextDue(): number | undefined {
    const dues = [...this.isolated.values()].map((i) => i.due);
    return dues.length ? Math.min(...dues) : undefined;
  }

  /** The isolated containers due to be tried again now, as the parts of a pass about them. */
  dueParts(): Parts {
    const t = this.now();
    return new Set([...this.isolated].filter(([, i]) => i.due <= t).map(([ns]) => nsPart(ns)));
  }

  /** What a pass may read and plan: `parts` without the isolated containers, except those it names
   *  explicitly that are due (their own retry). A full pass (`all`) becomes every other part. */
  exclude(parts: Parts, desired: DesiredState): Parts {
    if (this.isolated.size === 0) return parts;
    const t = this.now();
    const named = new Set(valuesOf(parts, 'ns'));
    const out = (ns: NsRef) => this.isolated.has(ns) && !(named.has(ns) && this.isolated.get(ns)!.due <= t);
    if (parts.has('all')) {
      const rest: Part[] = ['host', 'nft', 'netns', 'files'];
      for (const ns of desired.nsLabels.keys()) if (ns !== HOST && !out(ns)) rest.push(nsPart(ns));
      return new Set(rest);
    }
    const label = new Map([...desired.nsLabels].map(([ns, l]) => [l, ns]));
    return new Set([...parts].filter((p) =>
      !(p.startsWith('ns:') && out(p.slice(3))) && !(p.startsWith('ctr:') && label.has(p.slice(4)) && out(label.get(p.slice(4))!))));
  }

  /** A pass failed with `err`: count a strike against the containers it failed on, and isolate those that
   *  reached STRIKES (or back off further those already isolated). Returns the newly isolated ones. */
  failed(err: unknown, desired: DesiredState): NsRef[] {
    const where = failingContainers(err, desired);
    if (!where) { this.strikes.clear(); return []; } // the host's part, or unknown: not a container's doing
    const t = this.now();
    const fresh: NsRef[] = [];
    for (const ns of where) {
      const i = this.isolated.get(ns);
      if (i) {
        i.failures++;
        i.due = t + Math.min(BACKOFF_CAP_MS, BACKOFF_MS * 2 ** (i.failures - 1));
        continue;
      }
      const n = (this.strikes.get(ns) ?? 0) + 1;
      this.strikes.set(ns, n);
      if (n >= STRIKES) {
        this.isolated.set(ns, { failures: 1, due: t + BACKOFF_MS, error: err instanceof Error ? err.message : String(err) });
        this.strikes.delete(ns);
        fresh.push(ns);
      }
    }
    return fresh;
  }

  /** A pass converged: its containers (all, for a full one) are fine again. Returns those it released. */
  converged(containers: NsRef[] | undefined, desired: DesiredState): NsRef[] {
    const list = containers ?? [...desired.nsLabels.keys()];
    const released: NsRef[] = [];
    for (const ns of list) {
      this.strikes.delete(ns);
      if (this.isolated.delete(ns)) released.push(ns);
    }
    // Containers the topology dropped are no longer anyone's problem.
    for (const ns of [...this.isolated.keys()]) if (!desired.nsLabels.has(ns)) this.isolated.delete(ns);
    return released;
  }
}

/** The container namespaces an error is about, or undefined when any of it is the host's part. */
export function failingContainers(err: unknown, desired: DesiredState): NsRef[] | undefined {
  const objs: (OwnedObj | undefined)[] = [];
  const ofStep = (s: Step) => objs.push(...objectsOf(s.op));
  if (err instanceof ApplyError) ofStep(err.failedStep);
  else if (err instanceof VerifyError) err.remaining.forEach(ofStep);
  else if (err instanceof ConflictError) for (const c of err.conflicts) objs.push(desired.objects.get(c.key));
  else return undefined;
  const byLabel = nsByLabel(desired.nsLabels);
  const where = new Set<NsRef>();
  for (const o of objs) {
    const ns = o ? namespaceOf(o, byLabel) : HOST;
    if (ns === HOST) return undefined;
    where.add(ns);
  }
  return where.size ? [...where] : undefined;
}

function objectsOf(op: Operation): OwnedObj[] {
  if (op.op === 'link.delete') return op.objs;
  if (op.op === 'nft.apply') return op.obj ? [op.obj] : [];
  return [op.obj];
}
