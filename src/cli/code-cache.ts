// V8's compiled code of the CLI, kept between runs of a command. Node's own compile cache
// (module.enableCompileCache) keeps the code V8 made when it compiled a file: its top level only. Every
// function a command then calls was compiled again at every run: ~25 ms of an `apply` of 10 containers on
// Node 22 (bench/RESULTS.md §5m). This cache is made at the end of a command's first run that did its work,
// so it holds every function that run compiled; the next runs of that command start with all of them.
// One file per command, named by the build and the runtime (V8 checks its version and flags itself, and of the
// source only its length: a cache of another build must never be offered to it). Kept in a directory only
// root or this user can write (the cache is code this process runs); any failure just means no cache.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export const DEFAULT_CACHE_DIR = '/var/cache/ctnet';
/** The names of value-cache.ts's files in the same directory: values (of every build) and checked topologies
 *  (`<build>-checked-...`: of one build, removed with its code). */
export const VALUES_PREFIX = 'values-';
export const CHECKED_INFIX = 'checked-';

/** What the executable (bin.ts) tells the command line it runs (cli.js, a bundle of its own, so through a global):
 *  the build, and the cache directory it found trusted (undefined: none), which cli.js then need not check again. */
export interface BuildRun { build: string; dir: string | undefined }
const RUN = Symbol.for('ctnet.build-run');
export const announceRun = (run: BuildRun): void => { (globalThis as Record<symbol, unknown>)[RUN] = run; };
/** undefined when ctnet does not run from its bundle (tests that import the modules). */
export const announcedRun = (): BuildRun | undefined => (globalThis as Record<symbol, unknown>)[RUN] as BuildRun | undefined;

/** Owned by root or by `uid`, and writable by no one else. */
export function trusted(st: { uid: number; mode: number }, uid: number): boolean {
  return (st.uid === 0 || st.uid === uid) && (st.mode & 0o022) === 0;
}

const uid = () => process.getuid?.() ?? -1;

/** The cache file of `command` of this build in `dir`, a directory trustedDir gave. */
export const codeFileIn = (dir: string, build: string, command: string): string => join(dir, `${prefix(build)}${command}`);

/** `dir` when it is there (made when missing and this user may) and trusted; undefined for `''` or otherwise. */
export function trustedDir(dir: string): string | undefined {
  if (dir === '') return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch {
    // not ours to make: whatever is there may still be read
  }
  try {
    return trusted(statSync(dir), uid()) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The runtime, as far as V8's code is concerned: its version and the binary (two installs of one version
 *  may be built differently: the .deb's own Node and the system's); FNV-1a of the path, not a digest, since
 *  this names a file, and node:crypto is not loaded yet. */
function runtime(): string {
  let h = 0x811c9dc5;
  for (const c of process.execPath) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `${process.version}-${process.arch}-${h.toString(16)}`;
}
const prefix = (build: string) => `${build}-${runtime()}-`;

/** The file's bytes when root or this user owns it and no one else may write it (readable by no one else, too,
 *  for value-cache.ts's files); undefined otherwise or when it cannot be read. */
export function readTrusted(file: string): Buffer | undefined {
  try {
    return trusted(statSync(file), uid()) ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

export interface CachedRun {
  /** Whether V8 took the cached code. */
  hit: boolean;
  /** Writes this run's code to the cache file, unless it came from there; the other builds' files in the
   *  directory go (a new install leaves no old ones behind). False when nothing was written. */
  save(): boolean;
}

/** Runs the CommonJS file `file` (a bundle: it requires only Node's modules and files beside it) the way
 *  Node's loader does, with the code in `cache` when it is there and trusted. */
export function runCached(file: string, cache: string | undefined, build: string): CachedRun {
  // latin1: the bundle is ASCII (scripts/bundle.mjs checks it), read as the bytes it is, without decoding
  const source = readFileSync(file, 'latin1');
  const data = cache === undefined ? undefined : readTrusted(cache);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData: data,
  });
  const hit = data !== undefined && script.cachedDataRejected === false;
  const module = { exports: {} };
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return { hit, save: () => (cache === undefined || hit ? false : write(cache, script.createCachedData(), build)) };
}

/** Write `file` whole or not at all (a temporary file renamed over it) for a command reading it meanwhile. */
export function writeWhole(file: string, data: string | Buffer, mode: number): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode });
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

function write(file: string, data: Buffer, build: string): boolean {
  if (!writeWhole(file, data, 0o644)) return false;
  const dir = dirname(file);
  try {
    // Other builds' files; other runtimes' files of this build stay (a host may run it with two), and so do the
    // topology values of value-cache.ts (kept by their text, whatever the build).
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${build}-`) && !name.startsWith(VALUES_PREFIX) && !name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // the old files stay: harmless
  }
  return true;
}
