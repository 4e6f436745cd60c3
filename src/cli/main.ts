// argv -> command. The only place that prints errors and picks exit codes:
// 0 ok, 1 failed or invalid, 2 `plan --detailed-exitcode` with changes.
// Commands are imported when they run: `plan` then never loads the watch daemon, the DNS
// server or prom-client, which is most of a short command's start-up time.
import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.js';
import { ctnetVersion } from '../package.js';
import { reportError } from './report.js';
import { consoleOutput as out, writeAll } from './output.js';

const collect = (v: string, prev: string[]) => [...prev, v];
const files = () => ['-f, --file <path>', 'topology file or directory (repeatable)', collect, [] as string[]] as const;

function requireFiles(f: string[]): string[] {
  if (f.length === 0) throw new UsageError('no topology given: pass -f topology.yaml (a file or a directory, repeatable)');
  return f;
}


let exitCode = 0;
const run = (fn: () => Promise<number>) => async () => {
  exitCode = await fn();
};

const program = new Command()
  .name('ctnet')
  .description('Declarative container networking: bridges, veths, addresses, routes and nftables from YAML topology files')
  .version(ctnetVersion())
  .showHelpAfterError('(run ctnet --help for usage)')
  // Help, version and usage errors the way the commands write (output.ts): `ctnet --help | head -1` ends
  // quietly instead of with a stack trace of an unhandled EPIPE. Set before the subcommands, which copy it.
  .configureOutput({ writeOut: (s) => writeAll(1, s), writeErr: (s) => writeAll(2, s) })
  .option('--docker-host <address>', 'the Docker (or Podman) engine socket for docker: containers, unix:///path (default: DOCKER_HOST, else /var/run/docker.sock)')
  .exitOverride();
// The engine is asked only when a topology has docker: containers (src/docker/resolve.ts): passed on by
// environment, so every command and the daemon's passes see the same choice.
program.hook('preAction', () => {
  const given = program.opts().dockerHost as string | undefined;
  if (given !== undefined) process.env.CTNET_DOCKER_HOST = given;
});

program.command('validate').description('check the topology without touching the kernel')
  .option(...files())
  .option('--json', 'diagnostics as JSON (file, line, col, path, message, hint, severity)')
  .action(async (o) => run(async () => (await import('./validate.js')).validateCommand(requireFiles(o.file), out, o))());

program.command('plan').description('print the ordered operations apply would run')
  .option(...files())
  .option('--json', 'machine-readable plan (formatVersion 1)')
  .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are')
  .option('--host <name>', 'apply only what belongs to this host (multi-host topologies)')
  .option('--destroy', 'show what `ctnet destroy` would remove (of -p NAME, the project -f names, --all, or default)')
  .option('-p, --project <name>', 'with --destroy: the project')
  .option('--all', 'with --destroy: every project')
  .option('--out <plan>', 'also save the plan, for `ctnet apply --plan`')
  .action(async (o) => run(async () => (await import('./plan.js')).planCommand(o.destroy ? o.file : requireFiles(o.file), o, out))());

program.command('apply').description('plan, apply, verify; undo everything on failure')
  .option(...files())
  .option('--host <name>', 'apply only what belongs to this host (multi-host topologies)')
  .option('-q, --quiet', 'do not print the plan before applying')
  .option('--lock-timeout <seconds>', 'how long to wait for another ctnet that is changing this host', '30')
  .option('--plan <plan>', 'apply exactly a plan saved by `ctnet plan --out` (refused if the host changed since)')
  .option('--json', 'one JSON document at the end (result, steps, duration, errors) instead of text')
  .action(async (o) => run(async () => (await import('./apply.js')).applyCommand(o.plan ? o.file : requireFiles(o.file), o, out))());

program.command('show').description('what one project owns on this host, as a topology')
  .option('-o, --output <format>', 'yaml, json or table (the layout of docker network ls)', 'yaml')
  .option('-p, --project <name>', 'the project (default: default)', 'default')
  .action(async (o) => run(async () => (await import('./show.js')).showCommand(o.output, out, o.project))());

program.command('graph').description('draw the network (of -f files, or of one project on this host) as Graphviz dot or Mermaid')
  .option(...files())
  .option('--format <format>', 'dot or mermaid', 'dot')
  .option('-p, --project <name>', 'without -f: the project on this host (default: default)')
  .action(async (o) => run(async () => (await import('./graph.js')).graphCommand(o.file, o, out))());

program.command('ls').description('the projects on this host: networks, containers, ports, the daemon that manages each')
  .option('--json', 'machine-readable list')
  .action(async (o) => run(async () => (await import('./ls.js')).lsCommand(o, out))());

program.command('destroy').description('remove one project (default: "default") from this host')
  .option('-p, --project <name>', 'the project to remove')
  .option(...files())
  .option('--all', 'remove every project')
  .option('--json', 'one JSON document at the end (per project: steps, duration, failures) instead of text')
  .option('--lock-timeout <seconds>', 'how long to wait for another ctnet that is changing this host', '30')
  .action(async (o) => run(async () => (await import('./destroy.js')).destroyCommand(out, o))());

program.command('watch').description('daemon: keep the host converged (files, kernel drift, periodic resync)')
  .option(...files())
  .option('--host <name>', 'apply only what belongs to this host (multi-host topologies)')
  .option('--resync <seconds>', 'full resync period', '30')
  .option('--metrics-listen <host:port>', 'Prometheus /metrics and /healthz address, or "off"', '127.0.0.1:9475')
  .option('--debounce <ms>', 'quiet time after file changes before reloading', '150')
  .option('--log-level <level>', 'debug (every step, every pass), info, warn or error', 'info')
  .action(async (o) => run(async () => (await import('./watch.js')).watchCommand(requireFiles(o.file), o, out))());

program.command('dns', { hidden: true }).description('run only the embedded DNS server (networks with dns: true) in the foreground')
  .option(...files())
  .option('--host <name>', 'serve only the networks of this host (multi-host topologies)')
  .option('--resolv-conf <path>', 'where the upstream resolvers are listed', '/etc/resolv.conf')
  .option('--port <n>', 'port to listen on (tests)', '53')
  .action(async (o) => run(async () => (await import('./dns.js')).dnsCommand(requireFiles(o.file), o, out))());

const imports = program.command('import').description('translate another tool\'s file into a ctnet topology');
imports.command('compose').argument('<file>', 'a Docker Compose file (compose.yaml, docker-compose.yml)')
  .description('print a topology for a Compose file: networks, services as docker: containers, ports, aliases, links, network_mode')
  .option('-p, --project-name <name>', 'the Compose project (default: name: in the file, else its directory\'s name)')
  .option('-o, --output <file>', 'write the topology there instead of printing it')
  .action(async (file, o) => run(async () => (await import('./import.js')).importComposeCommand(file, o, out))());

program.command('completion').description('shell completion: source <(ctnet completion bash); zsh and fish too')
  .argument('<shell>', 'bash, zsh or fish')
  .action(async (shell: string) => run(async () => (await import('./completion.js')).completionCommand(shell, program, out))());

program.command('__projects', { hidden: true }).description('the projects on this host, one per line (completion)')
  .action(async () => run(async () => (await import('./ls.js')).projectNames(out))());

/** Runs the command line. No top-level await: the bundle is CommonJS (scripts/bundle.mjs says why). The exit
 *  code is set, not forced, so what is written is flushed first. */
async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      exitCode = err.exitCode === 0 ? 0 : 1;
    } else {
      exitCode = reportError(err, out);
    }
  }
  process.exitCode = exitCode;
}
void main();
