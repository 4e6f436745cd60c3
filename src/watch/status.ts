// The status page's data (`GET /status.json`): every project the daemon manages, with its health,
// its networks and containers (addresses, published ports: the same model `ctnet graph` draws), the
// located problems of its files, and its last passes and repairs.
import { graphModel, type GraphModel } from '../graph/model.js';
import type { Daemon } from './daemon.js';
import type { PassEntry, RepairEntry } from './history.js';

export interface ProjectStatus {
  project: string;
  health: 'converged' | 'pending' | 'drifted' | 'invalid-files' | 'failing';
  detail: Record<string, unknown>;
  problems: { where: string; message: string; hint: string | null }[];
  graph?: GraphModel;
  passes: PassEntry[];
  repairs: RepairEntry[];
}

export interface StatusDoc { generatedAt: string; pid: number; projects: ProjectStatus[] }

export function statusOf(daemons: Iterable<Daemon>): StatusDoc {
  const projects = [...daemons].map((d): ProjectStatus => {
    const r = d.lastResult;
    const health = r === 'pending' ? 'pending' : !d.passes.filesValid ? 'invalid-files' : r === 'converged' ? (d.passes.isolation.containers.length ? 'failing' : 'converged')
      : r === 'conflict' || r === 'failed' ? 'drifted' : 'failing';
    const t = d.passes.topology;
    return {
      project: d.project, health, detail: d.health(),
      problems: d.history.diagnostics.map((x) => ({
        where: [x.file, x.line, x.col].filter((v) => v !== undefined).join(':') + (x.path ? `: ${x.path}` : ''), message: x.message, hint: x.hint ?? null,
      })),
      ...(t ? { graph: graphModel(t) } : {}),
      passes: d.history.passes, repairs: d.history.repairs,
    };
  });
  return { generatedAt: new Date().toISOString(), pid: process.pid, projects: projects.sort((a, b) => (a.project < b.project ? -1 : 1)) };
}
