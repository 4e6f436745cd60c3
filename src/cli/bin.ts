#!/usr/bin/env node
// The executable: turn on V8's compile cache where the Node version has it (22.1 and later: the compiled
// code of the bundle is reused by the next run instead of compiled again), then run the command line.
// Everything is imported after that, so everything is cached.
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./main.js');
