// ctnet's own package: where it is installed (the native addon is built there) and its version. Found by
// walking up from this file: src/ under vitest, dist/src/ once built, wherever npm installed it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The nearest directory above this file holding a package's package.json: one with a name. The bundle's
 *  directory has a package.json of its own that only says its files are CommonJS (scripts/bundle.mjs). */
export function packageRoot(): string {
  return (root ??= packageAbove(dirname(fileURLToPath(import.meta.url))));
}

/** The nearest directory from `dir` up holding a package.json with a name. */
export function packageAbove(dir: string): string {
  for (let at = dir; ; ) {
    if (isPackage(join(at, 'package.json'))) return at;
    const up = dirname(at);
    if (up === at) throw new Error('ctnet: cannot find package.json above ' + dir);
    at = up;
  }
}

function isPackage(file: string): boolean {
  return existsSync(file) && typeof (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'string';
}

/** ctnet's version, from its own package.json (not the environment: `npm run` sets npm_package_version to
 *  whatever package runs it). */
export function ctnetVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
