// ctnet's own package: where it is installed (the native addon is built there) and its version. Found by
// walking up from this file: src/ under vitest, dist/src/ once built, wherever npm installed it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Found { dir: string; manifest: { name: string; version: string } }
let own: Found | undefined;
// Read once: every command asks for the version at its start, and the package.json read to find the
// directory is the one that says it.
const ownPackage = () => (own ??= packageAbove(dirname(fileURLToPath(import.meta.url))));

/** The nearest directory above this file holding a package's package.json: one with a name. The bundle's
 *  directory has a package.json of its own that only says its files are CommonJS (scripts/bundle.mjs). */
export const packageRoot = (): string => ownPackage().dir;

/** ctnet's N-API addon (native/, built by node-gyp or shipped prebuilt in the same place). */
export const addonPath = (): string => join(packageRoot(), 'build', 'Release', 'ctnet_setns.node');

/** The nearest directory from `dir` up holding a package.json with a name, and that file. */
export function packageAbove(dir: string): Found {
  for (let at = dir; ; ) {
    const file = join(at, 'package.json');
    const manifest = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Found['manifest']>) : undefined;
    if (typeof manifest?.name === 'string') return { dir: at, manifest: manifest as Found['manifest'] };
    const up = dirname(at);
    if (up === at) throw new Error('ctnet: cannot find package.json above ' + dir);
    at = up;
  }
}

/** ctnet's version, from its own package.json (not the environment: `npm run` sets npm_package_version to
 *  whatever package runs it). */
export const ctnetVersion = (): string => ownPackage().manifest.version;
