// bench/core-breakdown.mjs TOPOLOGY.yaml -- where the time of one cold apply,
// one converged plan and one destroy goes, stage by stage, with the number of
// netlink requests and namespace switches per stage. Runs the same modules as
// the CLI (dist/, built) in-process; run it inside a sandbox host namespace:
//   nsenter --net=/run/netns/SANDBOX node bench/core-breakdown.mjs top.yaml
// (bench/core-bench.sh does that with BREAKDOWN=1). Prints one JSON line.
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const dist = new URL('../dist/src/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const [{ NlSock, loadNetlink }, { NsCtx }, spec, { createKernel }, { observe, sysctlsOf }, { plan }, { execute }, { HOST }, { NetnsReader }] =
  await Promise.all(['kernel/nlsock.js', 'kernel/nsctx.js', 'spec/index.js', 'kernel/index.js', 'observe/index.js',
    'plan/index.js', 'apply/execute.js', 'model/state.js', 'kernel/readns.js'].map(load));
// The netlink package is imported at the first request (kernel/nlsock.ts): here from node_modules, all of it (~20
// CommonJS files), where the CLI has the part it uses inside its bundle. Loaded now, it is counted in importMs
// instead of in the first stage that sends a request (it was ~20 ms of the first phase of an apply of 10).
await loadNetlink();
const out = { importMs: +(performance.now() - t0).toFixed(1), stages: [] };

// Count requests by netlink message type, namespace switches (setns pairs) of the main thread, and whole
// namespaces read on the threadpool (READNS: three dumps each, and a setns pair there).
let requests = new Map(), enters = 0;
const origRead = NetnsReader.prototype.read;
NetnsReader.prototype.read = function (path, big) {
  requests.set('READNS', (requests.get('READNS') ?? 0) + 1);
  return origRead.call(this, path, big);
};
const origRequest = NlSock.prototype.request;
NlSock.prototype.request = function (type, parts, flags) {
  requests.set(type, (requests.get(type) ?? 0) + 1);
  return origRequest.call(this, type, parts, flags);
};
const origEnter = NsCtx.prototype.enter;
NsCtx.prototype.enter = function (ns, fn) {
  if (ns !== HOST) enters++;
  return origEnter.call(this, ns, fn);
};
const RTM = { 16: 'NEWLINK', 17: 'DELLINK', 18: 'GETLINK', 19: 'SETLINK', 20: 'NEWADDR', 21: 'DELADDR', 22: 'GETADDR', 24: 'NEWROUTE', 25: 'DELROUTE', 26: 'GETROUTE' };
async function stage(name, fn) {
  requests = new Map(); enters = 0;
  const s = performance.now(), cpu0 = process.cpuUsage();
  const r = await fn();
  const cpu = process.cpuUsage(cpu0);
  out.stages.push({ name, ms: +(performance.now() - s).toFixed(1),
    userMs: +(cpu.user / 1000).toFixed(1), sysMs: +(cpu.system / 1000).toFixed(1), setns: enters,
    requests: Object.fromEntries([...requests].map(([t, n]) => [RTM[t] ?? t, n])) });
  return r;
}

const file = process.argv[2];
const { topology } = await stage('load+validate', () => spec.loadTopology([file]));
const labels = spec.namespacesOf(topology);

async function planPass(tag) {
  // as planTopology (src/cli/context.ts): sysctls named by a compile without observation, one observe
  const kernel = await createKernel();
  const sysctls = sysctlsOf(spec.compile(topology, undefined, {}));
  const observed = await stage(`${tag}: observe`, () => observe(kernel, labels, sysctls));
  const desired = await stage(`${tag}: compile`, () => spec.compile(topology, observed, {}));
  const p = await stage(`${tag}: plan`, () => plan(desired, observed));
  return { kernel, desired, observed, p };
}

// cold apply (as applyPlan, without the failure paths)
const a = await planPass('apply');
out.steps = a.p.steps.length;
out.stepsByOp = {};
for (const s of a.p.steps) out.stepsByOp[s.op.op] = (out.stepsByOp[s.op.op] ?? 0) + 1;
out.phases = new Set(a.p.steps.map((s) => s.phase)).size;
// the slowest steps, and the total time per kind of operation (steps overlap: concurrent)
const slow = (tag) => { const per = {}; const all = [];
  return { onStep: (st, ms) => { all.push([ms, st.op.op, st.key]); per[st.op.op] = +((per[st.op.op] ?? 0) + ms).toFixed(1); },
    done: () => { out[tag] = { msPerOp: per, slowest: all.sort((x, y) => y[0] - x[0]).slice(0, 3).map(([ms, op, key]) => `${op} ${key} ${ms.toFixed(0)}ms`) }; } }; };
const sa = slow('applySteps');
await stage('apply: execute', () => execute(a.kernel, a.p, { onStep: sa.onStep }));
sa.done();
const after = await stage('apply: verify observe', () => observe(a.kernel, a.desired.nsLabels, sysctlsOf(a.desired)));
const rest = await stage('apply: verify plan', () => plan(a.desired, after));
out.verifyRemaining = rest.steps.length;
await a.kernel.close();

// converged plan
const c = await planPass('plan');
out.convergedSteps = c.p.steps.length;
await c.kernel.close();

// destroy (as the CLI's destroy command)
const k = await createKernel();
const host = new Map([[HOST, 'host']]);
const obs = await stage('destroy: observe host', () => observe(k, host));
const dp = await stage('destroy: plan', () => plan({ objects: new Map(), origin: new Map(), nsLabels: host }, obs));
out.destroyStepCount = dp.steps.length;
const sd = slow('destroySteps');
await stage('destroy: execute', () => execute(k, { ...dp, conflicts: [] }, { bestEffort: true, onStep: sd.onStep }));
sd.done();
await k.close();
out.maxRssMB = +(process.resourceUsage().maxRSS / 1024).toFixed(1);
console.log(JSON.stringify(out));
