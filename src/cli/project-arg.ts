// `-p NAME` of show, graph, destroy and plan --destroy: checked before the name reaches a lock name, a
// link mark or a table name. Its own small module: `show` must not load the apply path to check it.
import { UsageError } from '../errors.js';
import { PROJECT_NAME } from '../model/keys.js';

export function projectArg(name: string): string {
  if (!PROJECT_NAME.test(name)) throw new UsageError(`-p "${name}": a project name is letters, digits, "_", "." and "-", at most 63 characters`);
  return name;
}
