// Editors, `sed -i` and config-management tools save by writing a new file and renaming it over the old one.
// ctnet watch must follow every such save, not only the first (found while benchmarking issue 12: the fleet
// and its daemon each had a chokidar watcher on the same file, and chokidar's shared watch handle stopped
// reporting after the first rename).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon } from './watch-daemon.js';

const topo = (mtu: number) => `version: 1\nnetworks:\n  rn: { subnet: 10.238.0.0/24, mtu: ${mtu} }\n`;

describe.skipIf(!isRoot)(rootTitle('ctnet watch follows every save by rename'), () => {
  const sbx = new Sandbox('r');
  let file = '';
  let d: Daemon;
  beforeAll(async () => {
    sbx.create();
    file = sbx.topology('t.yaml', topo(1500));
    d = new Daemon(sbx, ['-f', file, '--resync', '300', '--debounce', '20', '--metrics-listen', 'off']);
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start' && l.result === 'converged', 0, 20_000);
    await d.settle();
  });
  afterAll(() => { d?.kill(); sbx.destroy(); });

  it('applies each of ten rename-saves in turn', async () => {
    for (const mtu of [1400, 1450, 1500, 1420, 1460, 1440, 1480, 1410, 1470, 1430]) {
      const mark = d.lines.length;
      writeFileSync(join(sbx.dir, 't.yaml.tmp'), topo(mtu));
      renameSync(join(sbx.dir, 't.yaml.tmp'), file);
      await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'file' && l.result === 'converged', mark, 5_000);
      const br = JSON.parse(sh('ip', ['-n', sbx.hostNs, '-j', 'link', 'show', 'br-rn']).stdout)[0];
      expect(br.mtu).toBe(mtu);
    }
  });
});
