#!/usr/bin/env node
// Build step: bundle the CLI into dist/bundle/ (esbuild): main.js, the executable, turns on the compile cache
// and loads cli.js, every module of the command line in one minified CommonJS file, instead of hundreds of
// module files resolved and loaded at every start. CommonJS, not ES modules: Node's ES module loader costs
// ~0.5 ms a module (resolution through URLs, package scopes, linking) and its facades of Node's own modules
// read every export (`node:fs` then loads the streams); measured on Node 22, a `plan` of an empty topology took
// 66-71 ms as ES chunks and 57-61 ms as this one file, `--version` 38-40 against 34-36 (bench/RESULTS.md §5m).
// The commands are still evaluated only when they run (esbuild keeps a dynamic import() lazy). The `netlink`
// package's JavaScript is bundled too, the part ctnet uses (loaded as a package it cost ~30 ms of every
// command on Node 20); only its native binding is loaded from the package's directory, wherever that is
// installed. The schema validator scripts/gen-validator.mjs generated (it runs before this) is bundled too.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/bundle');
await checkValidator();
// A clean directory: no file of an earlier build's layout is left behind to be packaged.
rmSync(out, { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Source files use import.meta.url (to find the package, the addon, Node's require): in CommonJS it is this.
  define: { 'import.meta.url': '__ctnetUrl' },
  // "use strict" first: the sources are ES modules, strict by definition; after a banner esbuild's own is not.
  banner: { js: "'use strict'; var __ctnetUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};
const cliBuild = {
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  sourcemap: 'linked',
  // netlink/package.json: the binding is found through it at run time (netlinkBinding below).
  external: ['netlink/package.json'],
  plugins: [netlinkEntry(), netlinkBinding(), netlinkUtil(), commanderSpawn(), generatedValidator(), validatorFormats(), lazyYaml(), yamlOutside()],
};
// Two files of one command line: daemon.js whole, for `watch` and `dns`; cli.js for every other command,
// without the daemons' code (the watch loop, the DNS server, prom-client, dns-packet: ~30 % of the file), which
// every command compiled at its start for nothing (`apply` of 10 containers ~5 ms, bench/RESULTS.md §5n).
// main.js picks one by the command (src/cli/command-word.ts). Each is whole in itself: no module is shared
// between two copies (an error class of one would not be the other's).
await build({ ...cliBuild, outfile: join(out, 'daemon.js') });
await build({ ...cliBuild, outfile: join(out, 'cli.js'), plugins: [daemonsOutside(), ...cliBuild.plugins] });
// src/cli/code-cache.ts reads them as latin1 (no UTF-8 decoding at every start): they must be ASCII, which
// esbuild's default charset makes them (anything else escaped).
for (const f of ['cli.js', 'daemon.js']) {
  if (/[^\x00-\x7f]/.test(readFileSync(join(out, f), 'latin1'))) throw new Error(`dist/bundle/${f} is not ASCII: src/cli/code-cache.ts reads it as latin1`);
}
// The executable names the cache of compiled code after this build's cli.js (src/cli/code-cache.ts).
const cliHash = createHash('sha256').update(readFileSync(join(out, 'cli.js'))).digest('hex').slice(0, 16);
await build({ ...common, entryPoints: [join(root, 'src/cli/bin.ts')], outfile: join(out, 'main.js'), define: { ...common.define, __CTNET_BUILD__: JSON.stringify(cliHash) } });
// The package says "type": "module" (src/ and dist/src/ are ES modules): this directory's files are CommonJS.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
// `yaml` (the YAML parser with positions, and the writer of show, graph and import) as one file beside cli.js:
// required by the first diagnostic that wants a position and by the commands that write YAML, and otherwise
// never read (~115 KB: ~5 ms of every start on Node 20 even unevaluated). It exports every name the package
// does (read from the package, so an import src/ adds later finds its name).
await build({
  stdin: {
    contents: `export { ${Object.keys(createRequire(import.meta.url)('yaml')).join(', ')} } from 'yaml';`,
    resolveDir: root,
  },
  outfile: join(out, 'yaml.cjs'),
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

/** netlink/dist/raw.js finds its binding from its own directory (`__dirname`), which bundling moves, through
 *  node-gyp-build (which looks in build/ and prebuilds/ at every start: ~2 ms on Node 22). The binding ctnet loads
 *  is the one built from the patched source (scripts/rebuild-netlink.mjs) in build/Release/, where node-gyp-build
 *  looks first: required from there directly, in the installed `netlink` package (the repository's node_modules,
 *  the npm tarball's bundled copy, the .deb's library directory all hold it). */
function netlinkBinding() {
  return replaceLine('netlink-binding', /[\\/]netlink[\\/]dist[\\/]raw\.js$/, 'js',
    "require('node-gyp-build')(__dirname + '/..')",
    "require(require('node:path').join(require('node:path').dirname(require.resolve('netlink/package.json')), 'build/Release/netlink_binding.node'))");
}

/** In cli.js the daemons' commands (imported by src/cli/main.ts when they run) are a stub: main.js runs them
 *  from daemon.js. Reaching it means main.js read the command line otherwise than commander (a global
 *  option with a value missing from src/cli/command-word.ts): said as such, not run half. */
function daemonsOutside() {
  return {
    name: 'daemons-outside',
    setup(b) {
      b.onResolve({ filter: /^\.\/(watch|dns)\.js$/ }, (args) =>
        /[\\/]src[\\/]cli[\\/]main\.ts$/.test(args.importer) ? { path: args.path, namespace: 'daemon-stub' } : undefined);
      b.onLoad({ filter: /.*/, namespace: 'daemon-stub' }, () => ({
        loader: 'js',
        contents: `const away = () => { throw new Error('this command runs from dist/bundle/daemon.js, which dist/bundle/main.js did not pick: a global option before it is missing from src/cli/command-word.ts'); };
export const watchCommand = away, dnsCommand = away;`,
      }));
    },
  };
}

/** netlink/dist/netlink.js copies every export of node:util into an object of its own (TypeScript's
 *  __importStar) for one function, and copying them runs Node's lazy ones: the argument parser, the diff,
 *  worker_threads, 11 of Node's modules compiled at every start. Only the function is taken, from util itself. */
function netlinkUtil() {
  return replaceLine('netlink-util', /[\\/]netlink[\\/]dist[\\/]netlink\.js$/, 'js',
    'const util = __importStar(require("util"));',
    'const util = { getSystemErrorName: (errno) => require("util").getSystemErrorName(errno) };');
}

/** commander requires node:child_process (with node:net and the streams beneath it) at its top, for
 *  subcommands that are programs of their own, which ctnet has none of: required when one would be spawned. */
function commanderSpawn() {
  return replaceLine('commander-spawn', /[\\/]commander[\\/]lib[\\/]command\.js$/, 'js',
    "const childProcess = require('node:child_process');",
    "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };");
}

/** src/spec/schema.ts loads the generated validator at run time, checking it was made from this very schema
 *  (a source checkout may have none, or an older one). The bundle has it inside, checked here at build time
 *  (checkValidator): one module and one hash of the schema less at every start, and no top-level await. */
function generatedValidator() {
  return replaceLine('generated-validator', /[\\/]src[\\/]spec[\\/]schema\.ts$/, 'ts',
    'const validate = await loadValidator();',
    'const validate = __generated.default as unknown as ValidateFunction;',
    "import * as __generated from '../../dist/src/spec/schema-validator.js';\n");
}

/** The generated validator (compiled JavaScript in dist/src/spec/) imports its formats from beside it: in the
 *  bundle, the source's module, so that the formats and src/model/ip.ts are not there twice. */
function validatorFormats() {
  return {
    name: 'validator-formats',
    setup(b) {
      b.onResolve({ filter: /^\.\/schema-formats\.js$/ }, (args) =>
        /[\\/]dist[\\/]src[\\/]spec[\\/]schema-validator\.js$/.test(args.importer) ? { path: join(root, 'src/spec/schema-formats.ts') } : undefined);
    },
  };
}

/** The generated validator must be the schema's: a build whose generator did not run again fails here. */
async function checkValidator() {
  const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
  const { schemaHashOf } = await import(pathToFileURL(join(root, 'dist/src/spec/schema-hash.js')).href);
  const hash = schemaHashOf(schema);
  const { schemaHash } = await import(pathToFileURL(join(root, 'dist/src/spec/schema-validator.js')).href);
  if (schemaHash !== hash) throw new Error('dist/src/spec/schema-validator.js was not made from schema/topology.schema.json: run scripts/gen-validator.mjs');
}

/** ctnet uses createNetlink and nothing else of the `netlink` package: its index also pulls in the nl80211,
 *  WireGuard and rtnetlink struct tables (~500 KB of JavaScript evaluated at every start). Only the bare name
 *  is redirected; netlink/package.json stays what it is. */
function netlinkEntry() {
  return { name: 'netlink-entry', setup(b) { b.onResolve({ filter: /^netlink$/ }, () => ({ path: createRequire(import.meta.url).resolve('netlink/dist/netlink.js') })); } };
}

/** src/spec/parse.ts loads `yaml` (the parser with positions) on first use through a require of its own
 *  making, which esbuild leaves alone: in the bundle it is a plain `require`, which yamlOutside() points at
 *  dist/bundle/yaml.cjs, read only then. */
function lazyYaml() {
  return replaceLine('lazy-yaml', /[\\/]src[\\/]spec[\\/]parse\.ts$/, 'ts',
    "createRequire(import.meta.url)('yaml') as typeof Yaml",
    "require('yaml') as typeof Yaml");
}

/** Every import of `yaml` is of dist/bundle/yaml.cjs (built above), not of a copy inside cli.js. */
function yamlOutside() {
  return { name: 'yaml-outside', setup(b) { b.onResolve({ filter: /^yaml$/ }, () => ({ path: './yaml.cjs', external: true })); } };
}
