#!/usr/bin/env node
// Build step: bundle the CLI into dist/bundle/ (esbuild): one minified entry plus a chunk per lazily
// imported command, instead of hundreds of module files resolved and loaded at every start. Only the
// `netlink` package stays outside (its native binding is loaded by path). The generated schema validator
// is not bundled either: src/spec/schema.ts loads it from dist/src/spec/ when it matches the schema.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Chunk names carry content hashes: without a clean directory every build would leave the previous ones behind.
rmSync(join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: [{ in: join(root, 'src/cli/bin.ts'), out: 'main' }],
  outdir: join(root, 'dist/bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  external: ['netlink'],
  // Bundled CommonJS dependencies call require() for Node's own modules: give ESM code one.
  banner: { js: "import { createRequire as __ctnetRequire } from 'node:module'; const require = __ctnetRequire(import.meta.url);" },
  logLevel: 'warning',
});
