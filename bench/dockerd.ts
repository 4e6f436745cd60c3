// Shared by the root tests (test/helpers/dockerd.ts re-exports it) and bench/docker-bench.ts.
// A Docker engine for the root tests, as the rules require: Debian's `dockerd` started inside the test's
// sandbox "host" namespace, with its own data root, exec root, socket and pidfile (vfs storage: nothing
// is mounted over the machine's), and an image imported from a busybox rootfs tarball (no registry).
// Its iptables rules and its docker0 bridge live in the sandbox namespace. stop() removes the containers
// (their shims would outlive the engine), stops the engine and deletes its directories, even after a
// failed test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const DOCKERD = '/usr/sbin/dockerd';
const BUSYBOX = '/bin/busybox';
/** Debian's client (20.10) where installed, as the engine's own version; any client on PATH otherwise. */
const CLIENT = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export const haveDocker = existsSync(DOCKERD) && existsSync(BUSYBOX);
export const IMAGE = 'ctnet-busybox:1';

export class Dockerd {
  readonly root: string;
  readonly socket: string;
  private proc?: ChildProcess;
  private log = '';

  constructor(readonly hostNs: string, dir: string) {
    this.root = join(dir, 'docker');
    this.socket = join(this.root, 'docker.sock');
  }

  get host(): string { return `unix://${this.socket}`; }

  async start(): Promise<void> {
    mkdirSync(join(this.root, 'data'), { recursive: true });
    mkdirSync(join(this.root, 'exec'), { recursive: true });
    this.proc = spawn('nsenter', [`--net=/run/netns/${this.hostNs}`, DOCKERD,
      '--data-root', join(this.root, 'data'), '--exec-root', join(this.root, 'exec'), '-H', this.host,
      '--pidfile', join(this.root, 'docker.pid'), '--storage-driver', 'vfs', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => { this.log += String(d); });
    this.proc.stderr!.on('data', (d) => { this.log += String(d); });
    const end = Date.now() + 30_000;
    while (this.docker(['version'], true).status !== 0) {
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`dockerd did not start:\n${this.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    this.importBusybox();
  }

  docker(args: string[], allowFail = false): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(CLIENT, ['-H', this.host, ...args], { encoding: 'utf8', timeout: 60_000 });
    const out = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    if (out.status !== 0 && !allowFail) throw new Error(`docker ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
    return out;
  }

  /** A container with no network, running `cmd` (busybox applets). */
  run(name: string, cmd: string[]): void {
    this.docker(['run', '-d', '--name', name, '--network', 'none', IMAGE, ...cmd]);
  }

  exec(name: string, cmd: string[]): { status: number; stdout: string; stderr: string } {
    return this.docker(['exec', name, ...cmd], true);
  }

  /** A rootfs of busybox's applets and a page for httpd, imported as IMAGE. */
  private importBusybox(): void {
    const fs = join(this.root, 'rootfs');
    for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'www']) mkdirSync(join(fs, d), { recursive: true });
    copyFileSync(BUSYBOX, join(fs, 'bin/busybox'));
    for (const a of ['sh', 'sleep', 'ping', 'nc', 'ip', 'cat', 'wget', 'httpd', 'nslookup', 'hostname']) symlinkSync('busybox', join(fs, 'bin', a));
    writeFileSync(join(fs, 'www/index.html'), 'hello from docker\n');
    const tar = join(this.root, 'rootfs.tar');
    const t = spawnSync('tar', ['-C', fs, '-cf', tar, '.']);
    if (t.status !== 0) throw new Error(`tar: ${t.stderr}`);
    const r = spawnSync(CLIENT, ['-H', this.host, 'import', '-', IMAGE], { input: readFileSync(tar), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`docker import: ${r.stderr}`);
  }

  /** `fast` (hundreds of containers, the benchmark): their processes are killed instead of each container
   *  being removed (with vfs, a removal copies nothing but deletes a whole root: minutes for 600). */
  async stop(opts: { fast?: boolean } = {}): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const ids = this.docker(['ps', '-aq'], true).stdout.split('\n').filter(Boolean);
      if (ids.length && opts.fast) {
        const running = this.docker(['ps', '-q'], true).stdout.split('\n').filter(Boolean);
        const pids = running.length ? this.docker(['inspect', '-f', '{{.State.Pid}}', ...running], true).stdout.split('\n').map(Number).filter((p) => p > 0) : [];
        for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      } else if (ids.length) this.docker(['rm', '-f', ...ids], true);
      const exited = new Promise((r) => this.proc!.on('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    // The engine's shims of this root, if it left any (they keep mounts and processes alive).
    const shims = spawnSync('pgrep', ['-f', `containerd-shim.*${this.root}`], { encoding: 'utf8' }).stdout.split('\n').map(Number).filter((p) => p > 0);
    for (const p of shims) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    // Whatever the engine left mounted under its roots (netns files, shm) before the directories go.
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(this.root));
    for (const m of mounts.sort().reverse()) spawnSync('umount', ['-l', m]);
    rmSync(this.root, { recursive: true, force: true });
  }
}
