// ctnet's own package: where it is installed (the native addon is built there) and its version. Found by
// walking up from this file: src/ under vitest, dist/src/ once built, wherever npm installed it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above this file holding package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('ctnet: cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** ctnet's version, from its own package.json (not the environment: `npm run` sets npm_package_version to
 *  whatever package runs it). */
export function ctnetVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
