// bench/dns-bench.mjs -- the DNS load generator of bench/dns-bench.sh, run inside a
// container namespace. One UDP socket; queries are pre-encoded A questions for
// local names, with a fresh 16-bit ID per send; a reply counts as good only with
// NOERROR and at least one answer (a forward or REFUSED would show up as bad).
//
//   node dns-bench.mjs --server IP --names a,b --mode check                  one full decode per name
//   node dns-bench.mjs --server IP --names a,b --mode closed --concurrency 32 --count 50000
//   node dns-bench.mjs --server IP --names a,b --mode rate --rate 5000 --count 50000
//
// closed: at most `concurrency` queries outstanding, a new one per reply (throughput).
// rate: sends on a 1 ms timer whatever `rate * elapsed` says is due, so at 5000 q/s
// about 5 queries leave together each millisecond (latency at a fixed offered load).
// Both stop at --limit seconds whatever happens; a query without reply after
// --timeout ms is lost. Latency = reply receipt - send call, in this process, so it
// includes this event loop's own delay. Output: one JSON line.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const server = arg('server');
const port = Number(arg('port', '53'));
const names = arg('names', '').split(',').filter(Boolean);
const mode = arg('mode', 'closed');
const concurrency = Number(arg('concurrency', '32'));
const count = Number(arg('count', '50000'));
const rate = Number(arg('rate', '5000'));
const warmup = Number(arg('warmup', '2000'));
const limitMs = Number(arg('limit', '60')) * 1000;
const timeoutMs = Number(arg('timeout', '1000'));
const qtype = arg('type', 'A'); // AAAA on an IPv6 gateway (issue 17)
if (!server || names.length === 0) { console.error('usage: --server IP --names a,b [--mode closed|rate|check]'); process.exit(2); }

const sock = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4');
await new Promise((r) => sock.bind(0, r));
sock.setRecvBufferSize(4 << 20);
sock.setSendBufferSize(4 << 20);
const templates = names.map((name) => dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: qtype, name, class: 'IN' }] }));

if (mode === 'check') {
  const out = {};
  for (const [i, name] of names.entries()) {
    const q = Buffer.from(templates[i]);
    q.writeUInt16BE(i + 1, 0);
    const r = await new Promise((res) => {
      const t = setTimeout(() => { sock.off('message', on); res(null); }, 2000);
      const on = (m) => { clearTimeout(t); sock.off('message', on); res(dnsPacket.decode(m)); };
      sock.on('message', on);
      sock.send(q, port, server);
    });
    out[name] = r ? { rcode: r.rcode, answers: r.answers.map((a) => `${a.type} ${a.data} ttl=${a.ttl}`) } : 'timeout';
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const sentAt = new Float64Array(65536);
const inflight = new Uint8Array(65536);
const outstanding = new Set();
let nextId = 0, nameIdx = 0;
let sent = 0, good = 0, bad = 0, lost = 0, measuring = false;
const lat = new Float64Array(count);
let nLat = 0;
let onDone = () => {};

function sendOne() {
  let id;
  do { id = nextId; nextId = (nextId + 1) & 0xffff; } while (inflight[id]);
  const q = Buffer.allocUnsafe(templates[nameIdx].length);
  templates[nameIdx].copy(q);
  nameIdx = (nameIdx + 1) % templates.length;
  q.writeUInt16BE(id, 0);
  inflight[id] = 1;
  outstanding.add(id);
  sentAt[id] = now();
  sent++;
  sock.send(q, port, server);
}

function finish(id) { inflight[id] = 0; outstanding.delete(id); }

sock.on('message', (m) => {
  if (m.length < 12) return;
  const id = m.readUInt16BE(0);
  if (!inflight[id]) return; // late reply to a query already counted lost
  const ms = now() - sentAt[id];
  finish(id);
  const ok = (m[3] & 0x0f) === 0 && m.readUInt16BE(6) > 0;
  if (ok) good++; else bad++;
  if (measuring && ok && nLat < lat.length) lat[nLat++] = ms;
  onDone();
});

// Queries older than the timeout are lost (and, in closed mode, replaced).
const sweeper = setInterval(() => {
  const t = now();
  for (const id of outstanding) {
    if (t - sentAt[id] > timeoutMs) { finish(id); lost++; onDone(); }
  }
}, 50);

function closedLoop(total) {
  return new Promise((resolve) => {
    let issued = 0;
    onDone = () => {
      if (issued < total) { issued++; sendOne(); } else if (outstanding.size === 0) resolve();
    };
    for (; issued < Math.min(concurrency, total); issued++) sendOne();
  });
}

function fixedRate(total) {
  return new Promise((resolve) => {
    let issued = 0;
    const t0 = now();
    onDone = () => { if (issued >= total && outstanding.size === 0) resolve(); };
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate));
      while (issued < due) { issued++; sendOne(); }
      if (issued < total) setTimeout(tick, 1); else onDone();
    };
    tick();
  });
}

let t0 = now();
let cpu0 = process.cpuUsage();
const hard = setTimeout(() => { report(true); process.exit(1); }, limitMs);
await closedLoop(warmup); // untimed: JIT and caches of both sides
sent = good = bad = lost = 0;
measuring = true;
cpu0 = process.cpuUsage();
t0 = now();
await (mode === 'rate' ? fixedRate(count) : closedLoop(count));
const wallMs = now() - t0;
clearTimeout(hard);
clearInterval(sweeper);
report(false, wallMs, process.cpuUsage(cpu0));
process.exit(0);

function report(timedOut, wall = now() - t0, cpu = process.cpuUsage(cpu0)) {
  const l = lat.subarray(0, nLat).sort();
  const pct = (p) => (l.length ? +l[Math.min(l.length - 1, Math.ceil(p * l.length) - 1)].toFixed(3) : null);
  console.log(JSON.stringify({
    server, mode, concurrency: mode === 'closed' ? concurrency : undefined, rate: mode === 'rate' ? rate : undefined,
    sent, good, bad, lost, timedOut, wall_s: +(wall / 1000).toFixed(3), qps: Math.round(good / (wall / 1000)),
    p50_ms: pct(0.5), p90_ms: pct(0.9), p99_ms: pct(0.99), p999_ms: pct(0.999), max_ms: pct(1),
    client_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
  }));
}
