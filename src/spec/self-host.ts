// Which host of a multi-host topology this machine is: --host, else its hostname.
import { hostname } from 'node:os';
import { SpecError } from '../errors.js';
import type { Topology } from './types.js';

/** The host being applied: --host, else (in a multi-host topology) this machine's hostname. */
export function selfHost(t: Topology, given: string | undefined): string | undefined {
  if (t.hosts.size === 0) return given;
  const self = given ?? hostname();
  if (!t.hosts.has(self)) {
    throw new SpecError([{
      severity: 'error', file: t.files[0], path: 'hosts',
      message: `this host "${self}" is not one of the hosts of the topology (${[...t.hosts.keys()].join(', ')})`,
      hint: given ? 'pass --host with one of the names under `hosts`' : 'pass --host NAME, or add this machine under `hosts`',
    }]);
  }
  return self;
}
