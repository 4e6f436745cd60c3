#!/usr/bin/env node
// The executable (dist/bundle/main.js): runs the command line (dist/bundle/cli.js, src/cli/main.ts bundled)
// with V8's code of this command's earlier runs (src/cli/code-cache.ts: CTNET_CACHE_DIR, /var/cache/ctnet
// unless set; empty turns it off). The daemons run from dist/bundle/daemon.js, the same command line with
// their own code (watch, dns, metrics: a quarter of it) inside, which cli.js leaves out; they keep no cache:
// their start is not what anyone waits for.
// Both files are CommonJS (scripts/bundle.mjs says why); the bundle turns import.meta.url into this file's URL.
import module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { announceRun, codeFileIn, DEFAULT_CACHE_DIR, runCached, trustedDir } from './code-cache.js';
import { commandWord, isDaemonCommand } from './command-word.js';

/** The hash of cli.js, put here by scripts/bundle.mjs. */
declare const __CTNET_BUILD__: string;

// Node's own compile cache, for the files loaded later through require (the positioned YAML parser).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const word = commandWord(process.argv.slice(2));
const command = /^[a-z][a-z-]*$/.test(word) ? word : 'other';
const daemon = isDaemonCommand(command);
if (daemon) {
  // A daemon runs for months on one small loop: no TurboFan (V8's top tier), Maglev at most. TurboFan's own code
  // (~7 MB of the node binary's pages) and what it compiles then never come into memory: the idle RSS of
  // `ctnet watch` at 1000 containers 90 -> 80 MB, an edit's pass the same within the bench's spread
  // (bench/RESULTS-watch.md, ninth sitting). Set here, before any of its code runs (NODE_OPTIONS may not carry it).
  (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString('--max-opt=2');
}
const file = join(dirname(fileURLToPath(import.meta.url)), daemon ? 'daemon.js' : 'cli.js');
// The daemons keep no code and check their files their own way (src/watch): they are told nothing.
const dir = daemon ? undefined : trustedDir(process.env.CTNET_CACHE_DIR ?? DEFAULT_CACHE_DIR);
const cache = dir === undefined ? undefined : codeFileIn(dir, __CTNET_BUILD__, command);
if (!daemon) announceRun({ build: __CTNET_BUILD__, dir });
const run = runCached(file, cache, __CTNET_BUILD__);
// Made by a run that did its work (0; 2 is `plan --detailed-exitcode` with changes), so it holds its code.
process.once('exit', (code) => { if (code === 0 || code === 2) run.save(); });
