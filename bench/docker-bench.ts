// Beside Docker (issue 13): a container's network made by Docker itself, or by ctnet for a container started
// with `--network none`. Root, in a throw-away sandbox host with its own dockerd (bench/dockerd.ts); the
// machine's own namespace is never touched. Usage: node dist/bench/docker-bench.js [N...]  (default 10 100 300)
// For each N, in one run:
//  - docker: N containers created on a Docker network with --ip and -p; each `docker start` in turn, timed
//    until its published port answers from an outside namespace (HTTP through the host's address);
//  - none: N containers created with --network none, attached by `ctnet watch` (docker: <name>, same ports);
//    the same start -> answer time, and the daemon's own figure: engine start event -> attached (its log);
//  - the cost of Docker's networking: `docker start` (which returns once the engine has set the container up)
//    of a container with --network/--ip/-p minus that of one with --network none.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Dockerd, IMAGE } from './dockerd.js';

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
const MAIN = process.env.CTNET_MAIN ?? resolve(import.meta.dirname, '../bundle/main.js');
const P = `ctb${randomBytes(2).toString('hex')}`;
const H = `${P}h`, O = `${P}o`;
const dir = mkdtempSync(join(tmpdir(), `${P}-`));
// ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
process.env.CTNET_CACHE_DIR ??= join(dir, 'cache');
const sh = (cmd: string, ...a: string[]) => spawnSync(cmd, a, { encoding: 'utf8' });
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p90 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length * 0.9)]; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOST_IP = '198.51.100.1';

function answers(port: number): boolean {
  return sh('nsenter', `--net=/run/netns/${O}`, 'curl', '-s', '--connect-timeout', '0.05', '-m', '1', `http://${HOST_IP}:${port}/`).stdout === 'hello from docker\n';
}

/** docker start, then poll the port until it answers: ms (and how long `docker start` itself took, in `cmd`).
 *  Each poll gives up connecting after 50 ms: a SYN sent before the container is attached is lost, and
 *  curl's own retry would then wait a second. */
async function startToAnswer(eng: Dockerd, name: string, port: number, cmd: number[]): Promise<number> {
  const t0 = performance.now();
  eng.docker(['start', name]);
  cmd.push(performance.now() - t0);
  for (;;) {
    if (answers(port)) return performance.now() - t0;
    if (performance.now() - t0 > 10_000) throw new Error(`${name} never answered on ${port}`);
    await sleep(2);
  }
}

const addr = (base: number, i: number) => `10.${base}.${((i + 10) >> 8) & 255}.${(i + 10) & 255}`;

async function main() {
  const sizes = SIZES.length ? SIZES : [10, 100, 300];
  sh('ip', 'netns', 'add', H); sh('ip', 'netns', 'add', O);
  sh('ip', '-n', H, 'link', 'set', 'lo', 'up');
  sh('ip', '-n', H, 'link', 'add', `${P}x`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', O);
  sh('ip', '-n', H, 'addr', 'add', `${HOST_IP}/24`, 'dev', `${P}x`); sh('ip', '-n', H, 'link', 'set', `${P}x`, 'up');
  sh('ip', '-n', O, 'addr', 'add', '198.51.100.2/24', 'dev', 'eth0'); sh('ip', '-n', O, 'link', 'set', 'eth0', 'up');
  const eng = new Dockerd(H, dir);
  let daemon: ReturnType<typeof spawn> | undefined;
  try {
    await eng.start();
    const rows: string[] = [];
    for (const [round, n] of sizes.entries()) {
      // Names and Docker's subnet per round: a container or network a previous round failed to remove
      // (removal is slow with vfs) must not be in the way.
      const R = `${P}r${round}`;
      // Docker's own networking.
      eng.docker(['network', 'create', '--subnet', `10.${100 + round}.0.0/16`, `${R}d`]);
      const startCmd: number[] = [], startCmdNone: number[] = [];
      for (let i = 0; i < n; i++) {
        eng.docker(['create', '--name', `${R}d${i}`, '--network', `${R}d`, '--ip', addr(100 + round, i), '-p', `${20000 + 1000 * round + i}:80`, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www']);
      }
      const dockerStart: number[] = [];
      for (let i = 0; i < n; i++) dockerStart.push(await startToAnswer(eng, `${R}d${i}`, 20000 + 1000 * round + i, startCmd));
      for (let i = 0; i < n; i++) eng.docker(['create', '--name', `${R}n${i}`, '--network', 'none', IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www']);
      // ctnet: the same containers by name, under watch.
      const lines = ['version: 1', `name: ${P}`, 'networks:', '  front: { subnet: 10.242.0.0/16 }', 'containers:'];
      for (let i = 0; i < n; i++) lines.push(`  c${i}: { docker: ${R}n${i}, networks: { front: { ipv4_address: ${addr(242, i)} } }, ports: ["${30000 + i}:80"] }`);
      const file = join(dir, `t${n}.yaml`);
      writeFileSync(file, lines.join('\n') + '\n');
      sh('nsenter', `--net=/run/netns/${H}`, 'sh', '-c', 'iptables -I DOCKER-USER -i br-front -j ACCEPT && iptables -I DOCKER-USER -o br-front -j ACCEPT');
      const log: { msg: string; ts: string; action?: string; container?: string; steps?: unknown }[] = [];
      daemon = spawn('nsenter', [`--net=/run/netns/${H}`, process.execPath, MAIN, 'watch', '-f', file, '--metrics-listen', 'off', '--log-level', 'debug'],
        { env: { ...process.env, DOCKER_HOST: eng.host }, stdio: ['ignore', 'pipe', 'inherit'] });
      createInterface({ input: daemon.stdout! }).on('line', (l) => { try { log.push(JSON.parse(l)); } catch { /* not JSON */ } });
      while (!log.some((l) => l.msg === 'reconcile')) await sleep(20);
      const ctnetStart: number[] = [];
      const eventToAttached: number[] = [];
      for (let i = 0; i < n; i++) {
        const from = log.length;
        ctnetStart.push(await startToAnswer(eng, `${R}n${i}`, 30000 + i, startCmdNone));
        for (let k = 0; k < 200 && !log.slice(from).some((l) => l.msg === 'reconcile' && JSON.stringify(l.steps ?? '').includes(`veth/c${i}/`)); k++) await sleep(5);
        const ev = log.slice(from).find((l) => l.msg === 'docker event' && l.action === 'start');
        const done = log.slice(from).find((l) => l.msg === 'reconcile' && JSON.stringify(l.steps ?? '').includes(`veth/c${i}/`));
        if (ev && done) eventToAttached.push(Date.parse(done.ts) - Date.parse(ev.ts));
      }
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon!.on('exit', r));
      daemon = undefined;
      const cost = med(startCmd) - med(startCmdNone);
      rows.push(`| ${n} | ${med(dockerStart).toFixed(0)} / ${p90(dockerStart).toFixed(0)} | ${med(ctnetStart).toFixed(0)} / ${p90(ctnetStart).toFixed(0)} | ${med(eventToAttached).toFixed(0)} / ${p90(eventToAttached).toFixed(0)} (${eventToAttached.length}) | ${med(startCmd).toFixed(0)} - ${med(startCmdNone).toFixed(0)} = ${cost.toFixed(0)} |`);
      console.error(rows.at(-1));
      // The round's containers stay (names and subnets are per round; removing hundreds with vfs takes
      // minutes): ctnet's project and the hand-made DOCKER-USER rules go.
      sh('nsenter', `--net=/run/netns/${H}`, process.execPath, MAIN, 'destroy', '-p', P);
      sh('nsenter', `--net=/run/netns/${H}`, 'sh', '-c', 'iptables -D DOCKER-USER -i br-front -j ACCEPT; iptables -D DOCKER-USER -o br-front -j ACCEPT');
    }
    console.log('| N | docker: start -> port answers, median / p90 (ms) | --network none + ctnet watch: same | ctnet: start event -> attached, median / p90 (ms) (samples) | docker start with Docker networking - with --network none, median (ms) |');
    console.log('|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    daemon?.kill('SIGKILL');
    await eng.stop({ fast: true });
    sh('nsenter', `--net=/run/netns/${H}`, process.execPath, MAIN, 'destroy', '--all');
    sh('ip', 'netns', 'del', H); sh('ip', 'netns', 'del', O);
    for (const d of ['/run/ctnet/applied', '/run/ctnet/routes']) sh('sh', '-c', `rm -rf ${d}/*${P}*`);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
