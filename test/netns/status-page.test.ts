// The live status page of `ctnet watch` (issue 14), in a real browser: headless Debian Chromium driven by
// playwright-core. Chromium runs inside the sandbox host namespace (through an nsenter wrapper, so the
// daemon's 127.0.0.1 is its 127.0.0.1), opens `/`, finds the project, its network and containers with
// their addresses and ports, watches the page change after a tamper (a repair appears) and after an
// invalid edit (the located error appears), and saves a screenshot.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon } from './watch-daemon.js';

const CHROMIUM = '/usr/bin/chromium';
const TOPO = `version: 1
name: {P}shop
networks: { front: { subnet: 10.250.1.0/24, bridge_name: {P}front } }
containers:
  web: { netns: {P}web, create: true, networks: { front: { ipv4_address: 10.250.1.10 } }, ports: ["8080:80"] }
  db: { netns: {P}db, create: true, networks: [front] }
`;

describe.skipIf(!isRoot)(rootTitle('status page in a browser'), () => {
  const sbx = new Sandbox('sp');
  let browser: Browser | undefined;
  let daemon: Daemon | undefined;
  let file = '';
  const port = 19000 + Math.floor(Math.random() * 1000);

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), 'Debian chromium is installed by scripts/install-deps.sh').toBe(true);
    sbx.create();
    file = sbx.topology('t.yaml', TOPO);
    const wrapper = join(sbx.dir, 'chromium-in-sandbox');
    writeFileSync(wrapper, `#!/bin/sh\nexec nsenter --net=/run/netns/${sbx.hostNs} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    daemon = new Daemon(sbx, ['-f', file, '--metrics-listen', `127.0.0.1:${port}`, '--log-level', 'info']);
    await daemon.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start' && l.result === 'converged', 0, 30_000);
    browser = await chromium.launch({ executablePath: wrapper, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    sbx.destroy();
  });

  it('shows the project, changes after a tamper and after an invalid edit, and is saved as a screenshot', async () => {
    const page = await browser!.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    const card = page.locator(`#project-${sbx.prefix}shop`);
    await expect.poll(() => card.locator('.badge').textContent(), { timeout: 10_000 }).toBe('converged');
    const text = await card.textContent();
    expect(text).toContain('front');
    expect(text).toContain('10.250.1.0/24');
    expect(text).toContain('web10.250.1.10');
    expect(text).toContain('8080→80/tcp');
    expect(text).toContain('db10.250.1.');
    // A tamper: the daemon repairs it, and the page shows the repair without a reload.
    sh('ip', ['-n', sbx.hostNs, 'link', 'set', `${sbx.prefix}front`, 'down']);
    await expect.poll(async () => (await card.locator('table').nth(1).textContent()) ?? '', { timeout: 10_000 }).toContain('bridge/front');
    // An invalid edit: the located error appears and the health says so; the host keeps the last valid topology.
    sbx.topology('t.yaml', TOPO.replace('10.250.1.10', '10.99.9.9'));
    await expect.poll(() => card.locator('.badge').textContent(), { timeout: 10_000 }).toBe('invalid-files');
    expect(await card.locator('.problems').textContent()).toMatch(/t\.yaml:\d+:\d+: containers\.web\.networks\.front\.ipv4_address: 10\.99\.9\.9/);
    const shot = join(sbx.dir, 'status-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    if (process.env.STATUS_SCREENSHOT) await page.screenshot({ path: process.env.STATUS_SCREENSHOT, fullPage: true });
    sbx.topology('t.yaml', TOPO);
    await expect.poll(() => card.locator('.badge').textContent(), { timeout: 10_000 }).toBe('converged');
  }, 60_000);
});
