// Named namespaces under /run/netns, created and deleted in-process by the
// addon (the same steps as `ip netns add/del`, without its ~5 ms spawn).
// Ownership: a marker file /run/ctnet/netns/<name> is written BEFORE the
// namespace and removed AFTER it, so a crash in between leaves a marker that
// listOwnedNetns() reports with exists=false, never an unowned namespace.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { NETNS_DIR, netnsPath, type NetnsObj } from '../model/state.js';
import type { OwnedNetns } from './port.js';
import { attempt } from './errors.js';
import { IFF_UP, IFLA, ifinfomsg, nla, RTM, str } from './nlmsg.js';
import type { NsCtx } from './nsctx.js';
import { native } from './setns.js';

const RUN_DIR = '/run/ctnet';
export const MARK_DIR = `${RUN_DIR}/netns`;
const markerOf = (name: string) => `${MARK_DIR}/${name}`;

/** Identity of the namespace playing the host. /run/netns is machine-wide, but a namespace
 *  belongs to the ctnet host that created it: a ctnet run against another host namespace (a
 *  test sandbox, or a second ctnet host on the same machine) must not see it as its own. */
export function hostId(ctx: NsCtx): string {
  const st = statSync(ctx.hostNs ?? '/proc/thread-self/ns/net');
  return `${st.dev}:${st.ino}`;
}

/** The host namespace's cookie: unlike its inode number, which Linux gives the next namespace as soon as
 *  this one is gone, a cookie is never reused until reboot (and /run, where the marks live, does not
 *  survive one). Empty where the kernel has none (before 5.14). */
const cookies = new WeakMap<NsCtx, string>();
function hostCookie(ctx: NsCtx): string {
  let c = cookies.get(ctx);
  if (c === undefined) {
    try { c = ctx.enter('host', () => native().netnsCookie()); } catch { c = ''; }
    cookies.set(ctx, c);
  }
  return c;
}

/** What a mark (a namespace marker, a managed-file record) says about the host that wrote it. */
export interface HostMark { host: string; cookie?: string }

export function hostMark(ctx: NsCtx): HostMark {
  const cookie = hostCookie(ctx);
  return cookie ? { host: hostId(ctx), cookie } : { host: hostId(ctx) };
}

/** A file-name-safe tag of the host namespace for records kept per host (route records, what was applied):
 *  its name when it is a named namespace (a sandbox: whoever removes it finds the records by that name),
 *  else its cookie. The machine's own namespace is not looked for under /run/netns: on a host with 1000
 *  containers that is 1000 stat calls on every command that reads a record. */
const tags = new WeakMap<NsCtx, string>();
export function hostTag(ctx: NsCtx): string {
  let t = tags.get(ctx);
  if (t === undefined) {
    const self = statSync(ctx.hostNs ?? '/proc/thread-self/ns/net');
    const same = (path: string) => { try { const st = statSync(path); return st.ino === self.ino && st.dev === self.dev; } catch { return false; } };
    let named: string | undefined;
    if (!same('/proc/1/ns/net')) {
      // The names most likely first (the one the adapter was given, those that already tag records), then
      // every name: with 1000 container namespaces the whole of /run/netns is ~10 ms of stat calls.
      const given = ctx.hostNs?.startsWith(`${NETNS_DIR}/`) ? [ctx.hostNs.slice(NETNS_DIR.length + 1)] : [];
      named = given.find((n) => same(netnsPath(n))) ?? recordHosts().find((n) => same(netnsPath(n)));
      try { named ??= readdirSync(NETNS_DIR).find((n) => same(netnsPath(n))); } catch { /* no named namespaces */ }
    }
    const m = hostMark(ctx);
    t = (named ? `ns-${named}` : m.cookie ?? m.host).replace(/[^0-9A-Za-z_.-]/g, '_');
    tags.set(ctx, t);
  }
  return t;
}

/** Names of the named host namespaces that records under /run/ctnet are tagged with (`<project>@ns-<name>`). */
function recordHosts(): string[] {
  const names = new Set<string>();
  let dirs: string[] = [];
  try { dirs = readdirSync(RUN_DIR); } catch { return []; }
  for (const d of dirs) {
    if (`${RUN_DIR}/${d}` === MARK_DIR) continue; // a marker per namespace, none tagged (1000 names to skip)
    let files: string[] = [];
    try { files = readdirSync(`${RUN_DIR}/${d}`); } catch { continue; } // not a directory
    for (const f of files) { const m = /@ns-([^/]+)$/.exec(f); if (m) names.add(m[1]); }
  }
  return [...names];
}

/** The mark was written for this host: by its cookie, or by its inode for marks from before cookies. */
export function markedHere(mark: Partial<HostMark>, ctx: NsCtx): boolean {
  if (mark.cookie !== undefined) return mark.cookie === hostCookie(ctx);
  return mark.host === hostId(ctx);
}

export async function createNetns(ctx: NsCtx, obj: NetnsObj): Promise<void> {
  const what = obj.shareOf ? `share namespace "${obj.shareOf}" as "${obj.path}"` : `create namespace "${obj.path}"`;
  await attempt(what, () => {
    mkdirSync(MARK_DIR, { recursive: true });
    const marker = markerOf(obj.name);
    const hadMarker = existsSync(marker);
    // A kill between creating the namespace file and mounting the namespace on it leaves a plain empty
    // file under our marker: ctnet's own half-made object, not someone else's namespace. Finish the job.
    if (hadMarker && ownMarker(ctx, obj.name) && isLeftoverFile(obj.path)) rmSync(obj.path);
    const mark: HostMark & { shareOf?: string; project?: string; container?: string } = hostMark(ctx);
    if (obj.shareOf) mark.shareOf = obj.shareOf;
    if (obj.owner?.project) mark.project = obj.owner.project;
    if (obj.owner?.container) mark.container = obj.owner.container; // `ls` counts containers by their name
    writeFileSync(marker, JSON.stringify(mark) + '\n');
    ctx.drop(obj.path); // a socket from an earlier namespace of this name would act in that one
    try {
      native().netnsCreate(obj.path, obj.shareOf);
    } catch (e) {
      // Never leave a marker that claims a namespace someone else made.
      if (!hadMarker) rmSync(marker, { force: true });
      throw e;
    }
  }, {
    EEXIST: `"${obj.path}" already exists: delete it (ip netns del ${obj.name}) or pick another container name`,
    ENOENT: obj.shareOf ? `"${obj.shareOf}" does not exist: create that container first` : 'is /run writable?',
  });
  if (obj.shareOf) return; // someone else's namespace: its loopback is not ours to touch
  await attempt(`bring up "lo" in namespace "${obj.path}"`, () =>
    ctx.sock(obj.path).request(RTM.SETLINK, [ifinfomsg({ flags: IFF_UP, change: IFF_UP }), nla(IFLA.IFNAME, str('lo'))]));
}

export async function deleteNetns(ctx: NsCtx, obj: NetnsObj): Promise<void> {
  await attempt(`delete namespace "${obj.path}"`, () => {
    ctx.drop(obj.path); // our socket would keep the namespace (and its veths) alive
    if (isLeftoverFile(obj.path)) rmSync(obj.path); // a half-made one (see createNetns): nothing is mounted
    else native().netnsDelete(obj.path);
    rmSync(markerOf(obj.name), { force: true });
  }, { EBUSY: 'a process still has it mounted elsewhere' });
}

/** An empty regular file where a namespace should be mounted (not a namespace, not anything with content). */
function isLeftoverFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.size === 0 && !isNsFile(path);
  } catch {
    return false;
  }
}

/** The marker of `name` says this host created it. */
function ownMarker(ctx: NsCtx, name: string): boolean {
  try {
    return markedHere(JSON.parse(readFileSync(markerOf(name), 'utf8')), ctx);
  } catch {
    return false;
  }
}

let nsfsDev: number | undefined;
/** True when path is a mounted namespace file (lives on nsfs, not on the /run tmpfs). */
export function isNsFile(path: string): boolean {
  try {
    nsfsDev ??= statSync('/proc/self/ns/net').dev;
    return statSync(path).dev === nsfsDev;
  } catch {
    return false;
  }
}

/** Every named namespace under /run/netns but the one playing the host (a sandbox, `ip netns exec`
 *  give the host a name too): what `ctnet show` looks into for ctnet's objects. */
export function listNamedNetns(ctx: NsCtx): { name: string; path: string }[] {
  let entries: string[] = [];
  try { entries = readdirSync(NETNS_DIR).sort(); } catch { return []; }
  const self = statSync(ctx.hostNs ?? '/proc/thread-self/ns/net');
  const out: { name: string; path: string }[] = [];
  for (const name of entries) {
    const path = netnsPath(name);
    try {
      const st = statSync(path);
      if (st.ino === self.ino && st.dev === self.dev) continue;
    } catch {
      continue; // vanished or not a namespace
    }
    out.push({ name, path });
  }
  return out;
}

export async function listOwnedNetns(ctx: NsCtx, only?: string[]): Promise<OwnedNetns[]> {
  let names: string[];
  try {
    names = only ? [...only].sort().filter((n) => existsSync(markerOf(n))) : readdirSync(MARK_DIR).sort();
  } catch {
    return [];
  }
  const owned: OwnedNetns[] = [];
  const known = markerCache(ctx);
  const seen = new Set<string>();
  for (const name of names) {
    const path = `/run/netns/${name}`;
    const mark = readMarker(known, name);
    seen.add(name);
    // An empty or torn marker is not a claim: the marker is complete before the namespace is created,
    // so a crash while writing it left no namespace of ours, and anything under that name is not ours.
    if (!mark) continue;
    if (!markedHere(mark, ctx)) continue; // created by ctnet for another host namespace
    const o: OwnedNetns = { name, path, exists: isNsFile(path) };
    if (mark.shareOf) o.shareOf = mark.shareOf;
    if (mark.project) o.project = mark.project;
    if (mark.container) o.container = mark.container;
    owned.push(o);
  }
  if (!only) for (const name of known.keys()) if (!seen.has(name)) known.delete(name);
  return owned;
}

type Marker = Partial<HostMark> & { shareOf?: string; project?: string; container?: string };

/** Markers as last read, by name, with the identity of the file they were read from. `ctnet watch` lists
 *  the owned namespaces at every resync; reading and parsing 1000 markers each time cost ~80 ms of CPU
 *  at N = 1000, a stat ~5 µs. A marker is rewritten (createNetns) or replaced, never edited without its
 *  inode, change time or size changing, so an unchanged stat means unchanged content. */
const markers = new WeakMap<NsCtx, Map<string, { id: string; mark?: Marker }>>();
function markerCache(ctx: NsCtx): Map<string, { id: string; mark?: Marker }> {
  let m = markers.get(ctx);
  if (!m) markers.set(ctx, (m = new Map()));
  return m;
}

function readMarker(known: Map<string, { id: string; mark?: Marker }>, name: string): Marker | undefined {
  const file = markerOf(name);
  let id: string;
  try {
    const st = statSync(file, { bigint: true });
    id = `${st.ino}:${st.ctimeNs}:${st.size}`;
  } catch {
    known.delete(name);
    return undefined;
  }
  const hit = known.get(name);
  if (hit?.id === id) return hit.mark;
  let mark: Marker | undefined;
  try {
    mark = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    mark = undefined;
  }
  known.set(name, { id, mark });
  return mark;
}
