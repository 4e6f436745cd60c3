// A container runtime bind-mounts each container's hosts file (Docker: /var/lib/docker/containers/<id>/hosts
// onto the container's /etc/hosts). Such a file cannot be replaced by rename (EBUSY on a mount point, and a
// replaced file would no longer be the one the container sees): ctnet writes its block into it in place, and
// removes it in place (issue 13, item 3). Run in a private mount namespace (unshare -m), so the bind mount
// never touches the machine's.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { addNetns, isRoot, rootTitle } from '../helpers/sandbox.js';

const MAIN = resolve(import.meta.dirname, '../../dist/bundle/main.js');

describe.skipIf(!isRoot)(rootTitle('a bind-mounted hosts file is written in place'), () => {
  const sbx = new Sandbox('b');
  let src = '', target = '', file = '';
  /** ctnet in a private mount namespace where `target` is a bind mount of `src`, as a runtime sets it up. */
  const ctnet = (...args: string[]) => {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind "$1" "$2" && exec nsenter --net=/run/netns/${sbx.hostNs} "${process.execPath}" "${MAIN}" "$@"`.replace('"$@"', args.map((a) => `'${a}'`).join(' ')), 'sh', src, target], { encoding: 'utf8' });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  beforeAll(() => {
    sbx.create();
    // Made here, outside the private mount namespace ctnet runs in: a namespace it created there would vanish with it.
    for (const c of ['w1', 'db']) addNetns(`${sbx.prefix}${c}`);
    src = join(sbx.dir, 'runtime-hosts');       // the runtime's file
    target = join(sbx.dir, 'container-hosts');  // where the container sees it (the mount point)
    writeFileSync(src, '127.0.0.1\tlocalhost\n10.99.0.7\tweb1-runtime-line\n');
    writeFileSync(target, '');
    file = sbx.topology('t.yaml', `version: 1
networks:
  hb: { subnet: 10.241.0.0/24 }
containers:
  web1: { netns: "{P}w1", hosts_file: "${target}", networks: [hb], links: ["db"] }
  db: { netns: "{P}db", networks: { hb: { ipv4_address: 10.241.0.20 } } }
`);
  });
  afterAll(() => { ctnet('destroy'); sbx.destroy(); });

  it('adds the block to the runtime\'s file through the mount, keeping its lines', () => {
    const r = ctnet('apply', '-f', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = readFileSync(src, 'utf8');
    expect(text).toMatch(/\n127\.0\.0\.1\tlocalhost\n10\.99\.0\.7\tweb1-runtime-line\n$/); // kept, after ctnet's block (first match wins)
    expect(text).toContain('# BEGIN ctnet (managed, do not edit)\n');
    expect(text).toContain('10.241.0.20\tdb\n');
    const p = ctnet('plan', '-f', file, '--detailed-exitcode');
    expect(p.status, p.stdout + p.stderr).toBe(0);
  });

  it('removes only its block, in place, when the container leaves', () => {
    const r = ctnet('destroy');
    expect(r.status).toBe(0);
    expect(readFileSync(src, 'utf8')).toBe('127.0.0.1\tlocalhost\n10.99.0.7\tweb1-runtime-line\n');
  });
});
