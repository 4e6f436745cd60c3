#!/usr/bin/env node
// Build step: bundle the CLI into dist/bundle/ (esbuild): one minified entry plus a chunk per lazily
// imported command, instead of hundreds of module files resolved and loaded at every start. The
// `netlink` package's JavaScript is bundled too, the part ctnet uses (loaded as a package it cost ~30 ms of every
// command on Node 20: its 20 CommonJS files, and the lexer Node runs over CommonJS imported from ESM); only its
// native binding is still loaded from the package's directory, wherever that is installed. The generated schema
// validator is not bundled: src/spec/schema.ts loads it from dist/src/spec/ when it matches the schema.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
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
  external: ['node-gyp-build'],
  // ctnet uses createNetlink and nothing else of the package: its index also pulls in the nl80211, WireGuard and
  // rtnetlink struct tables (~500 KB of JavaScript evaluated at every start).
  alias: { netlink: 'netlink/dist/netlink.js' },
  plugins: [netlinkBinding(), generatedValidator()],
  // Bundled CommonJS dependencies call require() for Node's own modules: give ESM code one.
  banner: { js: "import { createRequire as __ctnetRequire } from 'node:module'; const require = __ctnetRequire(import.meta.url);" },
  logLevel: 'warning',
});

/** netlink/dist/raw.js finds its binding from its own directory (`__dirname`), which bundling moves:
 *  point it at the installed `netlink` package instead (the repository's node_modules, the npm tarball's
 *  bundled copy, the .deb's library directory all hold it with its build/Release/). */
function netlinkBinding() {
  const line = "require('node-gyp-build')(__dirname + '/..')";
  return {
    name: 'netlink-binding',
    setup(b) {
      b.onLoad({ filter: /[\\/]netlink[\\/]dist[\\/]raw\.js$/ }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        if (!src.includes(line)) throw new Error(`${args.path}: the binding is no longer loaded by ${line}; update scripts/bundle.mjs`);
        return { contents: src.replace(line, "require('node-gyp-build')(require('node:path').dirname(require.resolve('netlink/package.json')))"), loader: 'js' };
      });
    },
  };
}

/** src/spec/schema.ts imports the generated validator by a path computed at run time (a source checkout may
 *  have none): in the bundle it is a static import, so the validator, its formats and ajv-formats' (CommonJS)
 *  format functions are bundled instead of loaded as three more modules at every start. */
function generatedValidator() {
  const line = 'return existsSync(generated) ? ((await import(pathToFileURL(generated).href)) as Generated) : undefined;';
  return {
    name: 'generated-validator',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]spec[\\/]schema\.ts$/ }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        if (!src.includes(line)) throw new Error(`${args.path}: the generated validator is no longer imported by ${line}; update scripts/bundle.mjs`);
        const contents = `import * as __generated from '../../dist/src/spec/schema-validator.js';\n${src.replace(line, 'return __generated as unknown as Generated;')}`;
        return { contents, loader: 'ts' };
      });
    },
  };
}
