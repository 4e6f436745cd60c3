// destroy = plan towards "nothing owned" for one project (or each) and apply it. Only
// objects carrying that project's marks are ever in that plan, so nothing of the
// operator's, and nothing of another project's, is touched.
import { execute } from '../apply/execute.js';
import { UsageError } from '../errors.js';
import { lockTimeoutMs, onHost } from './host.js';
import { projectArg } from './project-arg.js';
import type { Kernel } from '../kernel/port.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import type { Plan } from '../model/ops.js';
import { HOST } from '../model/state.js';
import { observe } from '../observe/index.js';
import { listProjects } from '../observe/projects.js';
import { plan } from '../plan/index.js';
import { renderText } from '../plan/render.js';
import { silentOutput, type Output } from './output.js';
import { envelope, errorDoc, stepJson } from './json-doc.js';

/** Which projects a destroy is about: `-p NAME`, `-f FILE` (the project it names), `--all`; none: default. */
export interface Target { project?: string; file?: string[]; all?: boolean }

/** What destroy removes of one project: a plan from what the host holds of it towards nothing. */
export async function destroyPlan(kernel: Kernel, project = DEFAULT_PROJECT): Promise<Plan> {
  const labels = new Map([[HOST, 'host']]);
  const nothing = { objects: new Map(), origin: new Map(), nsLabels: labels, ...(project !== DEFAULT_PROJECT ? { project } : {}) };
  // Docker's DOCKER-USER chain too (one `iptables -S`): rules of `firewall.docker_user` go with the project.
  return plan(nothing, await observe(kernel, labels, [], project, true));
}

/** The projects a target names (`--all`: every project on the host, read from the kernel). */
export async function projectsOf(kernel: Kernel, t: Target): Promise<string[]> {
  const given = [t.project !== undefined, (t.file?.length ?? 0) > 0, !!t.all].filter(Boolean).length;
  if (given > 1) throw new UsageError('give one of -p NAME, -f FILE and --all');
  if (t.all) return (await listProjects(kernel)).map((p) => p.name);
  // The topology code is loaded only for -f: a destroy by project name reads no file.
  if (t.file?.length) return [await (await import('../spec/project.js')).projectOfFiles(t.file)];
  return [projectArg(t.project ?? DEFAULT_PROJECT)];
}

/** What the operator reads when the project is empty: which projects do exist. */
export async function nothingToDestroy(kernel: Kernel, projects: string[]): Promise<string> {
  const others = (await listProjects(kernel)).map((p) => p.name).filter((n) => !projects.includes(n));
  const what = projects.length === 1 ? `project "${projects[0]}" has nothing on this host` : 'ctnet owns nothing on this host';
  return `Nothing to destroy: ${what}.` + (others.length ? ` Projects on this host: ${others.join(', ')} (ctnet destroy -p NAME).` : '');
}

export async function destroyCommand(out: Output, opts: Target & { lockTimeout?: string; json?: boolean } = {}): Promise<number> {
  // --json: one document at the end whatever happens, instead of the text.
  const text: Output = opts.json ? silentOutput : out;
  const report: Record<string, unknown>[] = [];
  try {
    const code = await destroyProjects(text, opts, report);
    if (opts.json) out.log(JSON.stringify({ ...envelope({}), result: code ? 'failed' : report.length ? 'destroyed' : 'no-changes', projects: report }, null, 2));
    return code;
  } catch (err) {
    if (!opts.json) throw err;
    out.log(JSON.stringify({ ...envelope({}), ...errorDoc(err), projects: report }, null, 2));
    return 1;
  }
}

async function destroyProjects(out: Output, opts: Target & { lockTimeout?: string }, report: Record<string, unknown>[]): Promise<number> {
  const projects = await onHost(undefined, (kernel) => projectsOf(kernel, opts));
  return onHost({ timeoutMs: lockTimeoutMs(opts.lockTimeout), projects }, async (kernel) => {
    let failed = 0;
    let done = 0;
    for (const project of projects) {
      const p = await destroyPlan(kernel, project);
      if (p.steps.length === 0) {
        await kernel.writeApplied(project, {}); // nothing of it is left: neither is what it asked for
        continue;
      }
      if (projects.length > 1) out.log(`Project "${project}":`);
      out.log(renderText(p));
      const res = await execute(kernel, { ...p, conflicts: [] }, { bestEffort: true });
      for (const f of res.failed) out.err(`error: ${f.step.op.op} ${f.step.key}: ${f.error.message}`);
      report.push({
        project, steps: p.steps.map(stepJson), done: res.done.length, durationMs: Math.round(res.ms * 10) / 10,
        failed: res.failed.map((f) => ({ key: f.step.key, op: f.step.op.op, message: f.error.message })),
      });
      failed += res.failed.length;
      done += res.done.length;
      if (!res.failed.length) {
        await kernel.writeApplied(project, {});
        out.log(`Destroyed project "${project}": ${res.done.length} step(s) in ${res.ms.toFixed(0)} ms.`);
      }
    }
    if (failed) {
      out.err(`${failed} step(s) failed; run \`ctnet destroy\` again or remove them by hand.`);
      return 1;
    }
    if (done === 0) out.log(await nothingToDestroy(kernel, projects));
    return 0;
  });
}
