// Stale conntrack entries of published ports, deleted with as few table walks as
// possible. Every `conntrack -D` filter walks the whole conntrack table: ~16 ms of
// kernel time per call on the 2-core bench machine even when the namespace has no
// flow, so one filter per removed container made destroying 1000 published
// containers take ~27 s (bench/RESULTS.md). Instead: list the flows once per family,
// keep only the delete lines that match a listed flow, and run those in one
// `conntrack -R` process (one `-D ...` per line; a line matching nothing does not
// stop the next).

export interface Flow { proto: string; origDst: string; origDport: string; replySrc: string }

/** `conntrack -L` text -> flows (first src/dst/dport = original direction, second = reply). */
export function parseFlows(text: string): Flow[] {
  const out: Flow[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 4) continue;
    const seen: Record<string, string[]> = {};
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq > 0) (seen[w.slice(0, eq)] ??= []).push(w.slice(eq + 1));
    }
    if (!seen.dst || !seen.src || seen.src.length < 2) continue;
    out.push({ proto: words[0], origDst: seen.dst[0], origDport: seen.dport?.[0] ?? '', replySrc: seen.src[1] });
  }
  return out;
}

const opt = (args: string[], name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The delete lines (argument lists of conntrackDeletes) that match at least one listed flow:
 *  `--dst-nat --reply-src A` a flow answered by A whose original destination was another
 *  address (DNATed); `-p P --orig-port-dst N [--orig-dst H]` a flow of that protocol and port. */
export function linesToRun(lines: string[][], flowsOf: (family: string) => Flow[]): string[][] {
  return lines.filter((args) => {
    const flows = flowsOf(opt(args, '-f') ?? 'ipv4');
    const replySrc = opt(args, '--reply-src');
    if (replySrc !== undefined) return flows.some((f) => f.replySrc === replySrc && f.origDst !== replySrc);
    const proto = opt(args, '-p');
    const port = opt(args, '--orig-port-dst');
    const dst = opt(args, '--orig-dst');
    return flows.some((f) => f.proto === proto && f.origDport === port && (dst === undefined || f.origDst === dst));
  });
}

type Run = (args: string[]) => Promise<{ code: number; stdout: string }>;

const FEW = 8;

/** List once per family, then one `conntrack -R FILE` for the lines that match; best effort.
 *  `file(text)` writes the lines somewhere conntrack can read and returns the path. */
export async function deleteFlows(run: Run, lines: string[][], file: (text: string) => string): Promise<void> {
  if (lines.length === 0) return;
  const families = [...new Set(lines.map((a) => opt(a, '-f') ?? 'ipv4'))];
  const listed = new Map<string, Flow[]>();
  for (const fam of families) {
    const r = await run(['-L', '-f', fam]);
    if (r.code === 127) return; // no conntrack tool: nothing to clean (best effort)
    listed.set(fam, r.code === 0 ? parseFlows(r.stdout) : []);
  }
  const todo = linesToRun(lines, (fam) => listed.get(fam) ?? []);
  // A few deletes (the usual one-port change) run as plain `conntrack -D` calls, the path the
  // UDP retarget test was proven with; `-R` saves one process per line only when there are many.
  if (todo.length <= FEW) for (const args of todo) await run(args);
  else if (todo.length) await run(['-R', file(todo.map((a) => a.join(' ')).join('\n') + '\n')]);
}
