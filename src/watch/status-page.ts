// The live status page that `ctnet watch` serves at `/` on its metrics address: one self-contained
// HTML document, no framework, no external asset (the daemon's host may have no Internet). It polls
// `/status.json` every second and redraws; everything from the data is set as text, never as HTML.
export const STATUS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ctnet watch</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
 header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 16px; align-items: baseline; }
 header h1 { font-size: 17px; margin: 0; } header span { opacity: .75; font-size: 12px; }
 main { padding: 14px 18px; display: grid; gap: 14px; }
 section.project { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
 h2 { font-size: 16px; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; }
 .badge { font-size: 12px; border-radius: 10px; padding: 1px 9px; color: #fff; }
 .converged { background: #2e8540; } .pending { background: #7a7f8a; } .drifted, .failing { background: #c0392b; } .invalid-files { background: #d68910; }
 .nets { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
 .net { border: 1px solid #c9d3e3; background: #f2f6fb; border-radius: 8px; padding: 8px; min-width: 220px; }
 .net h3 { margin: 0 0 6px; font-size: 13px; } .net small { color: #56607a; display: block; }
 .ctr { display: inline-block; background: #fff; border: 1px solid #d6dbe4; border-radius: 6px; padding: 3px 7px; margin: 3px; font-size: 12px; }
 .ctr b { display: block; } table { border-collapse: collapse; font-size: 12px; width: 100%; }
 td, th { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid #eee; } th { color: #56607a; font-weight: 600; }
 .problems li { color: #8a4b00; } .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
</style></head>
<body><header><h1>ctnet watch</h1><span id="meta">connecting…</span></header><main id="projects"></main>
<script>
const el = (tag, cls, ...kids) => { const e = document.createElement(tag); if (cls) e.className = cls;
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k))); return e; };
const table = (head, rows) => el('table', '', el('tr', '', ...head.map((h) => el('th', '', h))), ...rows.map((r) => el('tr', '', ...r.map((c) => el('td', '', c)))));
function project(p) {
  const s = el('section', 'project');
  s.id = 'project-' + p.project;
  s.append(el('h2', '', 'project ' + p.project, el('span', 'badge ' + p.health, p.health)));
  if (p.problems.length) s.append(el('ul', 'problems', ...p.problems.map((x) => el('li', '', x.where + ': ' + x.message + (x.hint ? ' (hint: ' + x.hint + ')' : '')))));
  const g = p.graph;
  if (g) {
    const nets = el('div', 'nets');
    for (const n of g.networks) {
      const box = el('div', 'net', el('h3', '', n.name + (n.internal ? ' (internal)' : '')), el('small', '', n.subnets.join(' · ') + ' · bridge ' + n.bridge));
      for (const c of g.containers.filter((c) => c.attach.some((a) => a.network === n.name))) {
        const a = c.attach.find((a) => a.network === n.name);
        box.append(el('span', 'ctr', el('b', '', c.name), a.addrs.join(' ') || '-', ...(c.ports.length ? [el('br'), c.ports.join(', ')] : [])));
      }
      nets.append(box);
    }
    s.append(nets);
  }
  s.append(el('div', 'cols',
    el('div', '', el('strong', '', 'last passes'), table(['at', 'trigger', 'scope', 'steps', 'ms', 'result'], p.passes.map((x) => [x.at.slice(11, 19), x.trigger, x.scope, x.steps, x.durationMs, x.result + (x.error ? ': ' + x.error : '')]))),
    el('div', '', el('strong', '', 'last repairs'), table(['at', 'kind', 'key', 'action', 'reason'], p.repairs.map((x) => [x.at.slice(11, 19), x.kind, x.key, x.action, x.reason])))));
  return s;
}
async function refresh() {
  try {
    const doc = await (await fetch('status.json', { cache: 'no-store' })).json();
    document.getElementById('meta').textContent = 'pid ' + doc.pid + ' · ' + doc.projects.length + ' project(s) · updated ' + doc.generatedAt.slice(11, 19);
    document.getElementById('projects').replaceChildren(...doc.projects.map(project));
  } catch (e) { document.getElementById('meta').textContent = 'cannot reach the daemon: ' + e.message; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>
`;
