#!/usr/bin/env node
// Build step: bundle the CLI into dist/bundle/ (esbuild): one minified entry plus a chunk per lazily
// imported command, instead of hundreds of module files resolved and loaded at every start. The
// `netlink` package's JavaScript is bundled too, the part ctnet uses (loaded as a package it cost ~30 ms of every
// command on Node 20: its 20 CommonJS files, and the lexer Node runs over CommonJS imported from ESM); only its
// native binding is still loaded from the package's directory, wherever that is installed. The schema validator
// scripts/gen-validator.mjs generated (it runs before this) is bundled too.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  plugins: [netlinkBinding(), generatedValidator(), lazyYaml(), yamlOutside()],
  // Bundled CommonJS dependencies call require() for Node's own modules: give ESM code one.
  banner: { js: "import { createRequire as __ctnetRequire } from 'node:module'; const require = __ctnetRequire(import.meta.url);" },
  logLevel: 'warning',
});
// `yaml` (the YAML parser with positions, and the writer of show, graph and import) as one CommonJS file beside
// the chunks: required synchronously by the first diagnostic that wants a position, imported by the commands that
// write YAML, and otherwise never read (~115 KB: ~5 ms of every start on Node 20 even unevaluated). It exports
// every name the package does (read from the package, so an import src/ adds later finds its name); esbuild's
// CommonJS output declares them so Node's ESM imports find them.
await build({
  stdin: {
    contents: `export { ${Object.keys(createRequire(import.meta.url)('yaml')).join(', ')} } from 'yaml';`,
    resolveDir: root,
  },
  outfile: join(root, 'dist/bundle/yaml.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
});

/** An esbuild plugin that loads the source files `filter` matches with one line replaced (and `prefix` put
 *  before them). The line must be there: a dependency or a source file that changed it fails the build
 *  instead of shipping a bundle that loads something else. */
function replaceLine(name, filter, loader, line, replacement, prefix = '') {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        if (!src.includes(line)) throw new Error(`${args.path}: no longer contains ${line}; update scripts/bundle.mjs (${name})`);
        return { contents: prefix + src.replace(line, replacement), loader };
      });
    },
  };
}

/** netlink/dist/raw.js finds its binding from its own directory (`__dirname`), which bundling moves:
 *  point it at the installed `netlink` package instead (the repository's node_modules, the npm tarball's
 *  bundled copy, the .deb's library directory all hold it with its build/Release/). */
function netlinkBinding() {
  return replaceLine('netlink-binding', /[\\/]netlink[\\/]dist[\\/]raw\.js$/, 'js',
    "require('node-gyp-build')(__dirname + '/..')",
    "require('node-gyp-build')(require('node:path').dirname(require.resolve('netlink/package.json')))");
}

/** src/spec/schema.ts imports the generated validator by a path computed at run time (a source checkout may
 *  have none): in the bundle it is a static import, so the validator, its formats and ajv-formats' (CommonJS)
 *  format functions are bundled instead of loaded as three more modules at every start. */
function generatedValidator() {
  return replaceLine('generated-validator', /[\\/]src[\\/]spec[\\/]schema\.ts$/, 'ts',
    'return existsSync(generated) ? ((await import(pathToFileURL(generated).href)) as Generated) : undefined;',
    'return __generated as unknown as Generated;',
    "import * as __generated from '../../dist/src/spec/schema-validator.js';\n");
}

/** src/spec/parse.ts loads `yaml` (the parser with positions) on first use through a require of its own
 *  making, which esbuild leaves alone: in the bundle it is a plain `require`, which yamlOutside() points at
 *  dist/bundle/yaml.cjs, read only then. */
function lazyYaml() {
  return replaceLine('lazy-yaml', /[\\/]src[\\/]spec[\\/]parse\.ts$/, 'ts',
    "createRequire(import.meta.url)('yaml') as typeof Yaml",
    "require('yaml') as typeof Yaml");
}

/** Every import of `yaml` is of dist/bundle/yaml.cjs (built above), not of a copy inside the chunks. */
function yamlOutside() {
  return { name: 'yaml-outside', setup(b) { b.onResolve({ filter: /^yaml$/ }, () => ({ path: './yaml.cjs', external: true })); } };
}
