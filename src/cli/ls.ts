// ls: the projects on this host, in the layout of `docker network ls` (or JSON): what
// each has and which `ctnet watch` manages it. Read from ctnet's marks alone.
import { createKernel } from '../kernel/index.js';
import { listProjects, type ProjectSummary } from '../observe/projects.js';
import type { Output } from './output.js';
import { table } from '../show/table.js';

export async function lsCommand(opts: { json?: boolean }, out: Output): Promise<number> {
  const kernel = await createKernel();
  try {
    const projects = await listProjects(kernel);
    out.log(opts.json ? JSON.stringify({ projects }, null, 2) : projectTable(projects));
    return 0;
  } finally {
    await kernel.close();
  }
}

function projectTable(projects: ProjectSummary[]): string {
  if (projects.length === 0) return 'No projects: ctnet owns nothing on this host.';
  const rows = [['PROJECT', 'NETWORKS', 'CONTAINERS', 'PORTS', 'MANAGED BY']];
  for (const p of projects) {
    rows.push([p.name, String(p.networks.length), String(p.containers.length), String(p.ports),
      p.managedBy ? `ctnet watch (pid ${p.managedBy.pid})` : '-']);
  }
  return table(rows);
}

/** One project name per line, for shell completion; nothing (and exit 0) when the host cannot be read. */
export async function projectNames(out: Output): Promise<number> {
  try {
    const kernel = await createKernel();
    try {
      for (const p of await listProjects(kernel)) out.log(p.name);
    } finally {
      await kernel.close();
    }
  } catch { /* not root, no netlink: no names to offer */ }
  return 0;
}
