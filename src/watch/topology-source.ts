// The daemon's view of its files: the last valid topology, and whether the files
// are valid now. An invalid edit never replaces the last good topology: the
// daemon keeps holding the host to it (drift is still repaired), applies nothing
// from the invalid files, and reports the problem once (not on every pass).
// Files whose text did not change since the last valid read are not parsed again:
// the periodic resync reloads them every 30 s.
import { SpecError, type Diagnostic } from '../errors.js';
import type { NsRef } from '../model/state.js';
import { checkRead, forHost, loadFiles, namespacesOf, selfHost, type ParseMemo, type Topology } from '../spec/index.js';
import { groupByProject } from '../spec/project.js';

export interface Reload {
  /** A new valid topology replaced the last one. */
  changed: boolean;
  /** Namespaces the previous topology configured and the new one does not. */
  dropped: NsRef[];
  /** What to report: undefined when valid (without warnings) or when the same problems were reported already. */
  diagnostics?: Diagnostic[];
  /** A settling look found the files changed since the last look: not judged yet (see reload). */
  unsettled?: boolean;
}

export class TopologySource {
  topology?: Topology;
  filesValid = false;
  /** The host this daemon applies (--host, or the hostname in a multi-host topology). */
  selfHost?: string;
  /** Namespaces the current topology configures (where drift events matter). */
  namespaces: NsRef[] = [];
  private lastProblems = '';
  private lastTexts = '';
  /** The project's files as the last look read them, valid or not (lastTexts: as last valid). */
  private lastSeen = '';
  /** The entries of the files as last parsed: an edit parses only the entries whose text changed. */
  private readonly memo: ParseMemo = new Map();

  /** `project`: the one project this daemon manages (it holds that project's watch lock): only the files
   *  of that project count (spec/project.ts groupByProject); the others are other daemons' business. */
  constructor(private readonly files: string[], private readonly host?: string, readonly project?: string) {}

  /** `settle`: a look no file event asked for (the periodic resync). Files it finds changed since the last
   *  look are not judged: a writer may be between its truncate and its write (a resync read an empty file
   *  so and reported "missing version", with /healthz failing, until the write's own event). It says
   *  `unsettled`; the caller reads them again once they have been quiet (and their own event does too). */
  async reload(settle = false): Promise<Reload> {
    const all = await loadFiles(this.files);
    const read = this.project === undefined ? all : { ...all, files: groupByProject(all.files).get(this.project) ?? [] };
    const texts = JSON.stringify(read.files);
    const changedSinceLastLook = texts !== this.lastSeen;
    this.lastSeen = texts;
    if (settle && changedSinceLastLook && this.topology) return { changed: false, dropped: [], unsettled: true };
    if (read.files.length === 0 && all.diagnostics.length === 0) {
      // The project's files are gone (or mid-rename): hold it; removing a project is the fleet's decision.
      return { changed: false, dropped: [], diagnostics: this.invalid([{
        severity: 'error', path: '', message: `no file names project "${this.project}" any more`,
        hint: 'the daemon removes a project whose files are gone at the next look at the files',
      }]) };
    }
    if (this.topology && this.filesValid && texts === this.lastTexts) return { changed: false, dropped: [] };
    const { topology, diagnostics } = checkRead(read, this.memo);
    let host: string | undefined;
    try {
      if (topology) host = selfHost(topology, this.host);
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      return { changed: false, dropped: [], diagnostics: this.invalid(err.diagnostics) };
    }
    if (!topology) return { changed: false, dropped: [], diagnostics: this.invalid(diagnostics) };
    this.topology = topology;
    this.lastTexts = texts;
    this.selfHost = host;
    const before = this.namespaces;
    this.namespaces = [...namespacesOf(forHost(topology, host)).keys()];
    const kept = new Set(this.namespaces);
    this.filesValid = true;
    this.lastProblems = '';
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    return { changed: true, dropped: before.filter((ns) => !kept.has(ns)), diagnostics: warnings.length ? warnings : undefined };
  }

  private invalid(diagnostics: Diagnostic[]): Diagnostic[] | undefined {
    this.filesValid = false;
    const text = JSON.stringify(diagnostics);
    if (text === this.lastProblems) return undefined;
    this.lastProblems = text;
    return diagnostics;
  }
}

