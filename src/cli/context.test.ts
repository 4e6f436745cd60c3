// What `plan` reads while it parses (readEarly): the host and the namespaces the text names, in either YAML style.
import { describe, expect, it } from 'vitest';
import { namespacesNamedIn } from './context.js';

describe('namespacesNamedIn', () => {
  it('finds netns names in block and flow style, quoted or not; the host is always read', () => {
    const text = `version: 1
containers:
  a:
    netns: web1
    networks: [n]
  b: { netns: "db-1", networks: [n] }
  c: { netns: 'c.3', create: true }
  d: { netns: /var/run/netns/other }
  e: { pid: 1234 }
`;
    expect(namespacesNamedIn([text, 'x: { netns: web1 }'])).toEqual([null, '/run/netns/web1', '/run/netns/db-1', '/run/netns/c.3']);
  });

  it('a name that cannot be one (a path, a dot first) is left to the usual read', () => {
    expect(namespacesNamedIn(['a: { netns: ../etc }', 'b: { netns: .hidden }'])).toEqual([null]);
  });
});
