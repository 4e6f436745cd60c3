// Containers that are waiting: a container ctnet attaches but does not create (`pid:`, a namespace path,
// `docker:`) whose namespace is gone because its process or Docker container is not running. Nothing can
// be done inside a namespace that does not exist, and it is not an error either: the process may start
// later (`watch` attaches it then). So a pass leaves such a container out, on both sides of its plan, and
// converges everything else; the plan says which containers wait and why. A named namespace
// (/run/netns/<name>) that is missing stays a conflict: ctnet can create those (`create: true`), and a
// missing one is more often a typo than a process that has not started.
import type { Waiting } from '../model/ops.js';
import { DOCKER_REF, HOST, NETNS_DIR, type DesiredState, type NsRef } from '../model/state.js';
import type { Observation } from '../observe/index.js';

export function waitingIn(desired: DesiredState, obs: Observation, scope: Iterable<NsRef>): Waiting[] {
  const out: Waiting[] = [];
  for (const ns of scope) {
    const label = desired.nsLabels.get(ns);
    if (ns === HOST || label === undefined || ns.startsWith(`${NETNS_DIR}/`)) continue;
    if (obs.dumps.get(ns) !== null) continue; // read and present (undefined: not read by this pass)
    out.push({ container: label, ns, why: whyGone(ns) });
  }
  return out.sort((a, b) => (a.container < b.container ? -1 : a.container > b.container ? 1 : 0));
}

function whyGone(ns: NsRef): string {
  if (ns.startsWith(DOCKER_REF)) return `Docker container "${ns.slice(DOCKER_REF.length)}" is not running`;
  const pid = /^\/proc\/(\d+)\/ns\/net$/.exec(ns)?.[1];
  if (pid) return `process ${pid} is gone`;
  return `namespace file ${ns} does not exist`;
}
