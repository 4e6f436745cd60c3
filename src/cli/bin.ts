#!/usr/bin/env node
// The executable (dist/bundle/main.js): turn on V8's compile cache where the Node version has it (22.1 and
// later: the compiled code of the CLI is reused by the next run instead of compiled again), then load the
// command line (dist/bundle/cli.js, src/cli/main.ts bundled). It is loaded after that, so it is cached.
// Both are CommonJS (scripts/bundle.mjs says why); the bundle turns import.meta.url into this file's URL.
import module, { createRequire } from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
createRequire(import.meta.url)('./cli.js');
