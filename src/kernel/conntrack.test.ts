import { describe, expect, it } from 'vitest';
import { deleteFlows, linesToRun, parseFlows } from './conntrack.js';

// Real `conntrack -L` lines (1.4.7): a DNATed TCP flow to 10.88.0.2 and a DNATed UDP stream to 10.236.0.10.
const LISTING = [
  'tcp      6 431999 ESTABLISHED src=10.88.0.3 dst=10.88.0.1 sport=41000 dport=20001 src=10.88.0.2 dst=10.88.0.3 sport=80 dport=41000 [ASSURED] mark=0 use=1',
  'udp      17 29 src=10.9.0.2 dst=10.9.0.1 sport=40123 dport=5353 src=10.236.0.10 dst=10.9.0.2 sport=53 dport=40123 mark=0 use=1',
  'tcp      6 50 TIME_WAIT src=10.9.0.2 dst=10.9.0.7 sport=1 dport=22 src=10.9.0.7 dst=10.9.0.2 sport=22 dport=1 mark=0 use=1',
].join('\n');

const gone = (addr: string) => ['-D', '-f', 'ipv4', '--dst-nat', '--reply-src', addr];
const port = (proto: string, p: number) => ['-D', '-f', 'ipv4', '-p', proto, '--orig-port-dst', String(p)];

describe('conntrack deletes', () => {
  it('parses original and reply directions', () => {
    const f = parseFlows(LISTING);
    expect(f).toHaveLength(3);
    expect(f[0]).toEqual({ proto: 'tcp', origDst: '10.88.0.1', origDport: '20001', replySrc: '10.88.0.2' });
    expect(f[1]).toEqual({ proto: 'udp', origDst: '10.9.0.1', origDport: '5353', replySrc: '10.236.0.10' });
  });

  it('keeps only the lines that match a listed flow', () => {
    const flows = parseFlows(LISTING);
    const lines = [gone('10.88.0.2'), gone('10.88.0.9'), gone('10.9.0.7'), port('udp', 5353), port('tcp', 5353), port('udp', 9999)];
    // 10.9.0.7 answers a flow that was not DNATed (original destination is itself): no line for it
    expect(linesToRun(lines, (fam) => (fam === 'ipv4' ? flows : []))).toEqual([gone('10.88.0.2'), port('udp', 5353)]);
    expect(linesToRun([[...port('udp', 5353), '--orig-dst', '10.9.0.1']], () => flows)).toHaveLength(1);
    expect(linesToRun([[...port('udp', 5353), '--orig-dst', '10.9.0.5']], () => flows)).toHaveLength(0);
  });

  it('lists once per family; a few matching lines run as plain -D calls; nothing to delete runs nothing', async () => {
    const calls: string[][] = [];
    const run = async (args: string[]) => { calls.push(args); return { code: 0, stdout: args[0] === '-L' ? LISTING : '' }; };
    const many = Array.from({ length: 1000 }, (_, i) => gone(`10.88.${i >> 8}.${i & 255}`));
    await deleteFlows(run, many, () => { throw new Error('no -R file for one line'); });
    expect(calls).toEqual([['-L', '-f', 'ipv4'], gone('10.88.0.2')]);
    calls.length = 0;
    await deleteFlows(run, [gone('10.88.0.9')], () => '/tmp/x');
    expect(calls).toEqual([['-L', '-f', 'ipv4']]);
  });

  it('many matching lines go to one conntrack -R process', async () => {
    // 20 DNATed flows answered by 20 containers, all of which lose their mapping.
    const listing = Array.from({ length: 20 }, (_, i) =>
      `tcp      6 431999 ESTABLISHED src=10.88.9.9 dst=10.88.0.1 sport=${40000 + i} dport=20001 src=10.88.1.${i} dst=10.88.9.9 sport=80 dport=${40000 + i} [ASSURED] mark=0 use=1`).join('\n');
    const calls: string[][] = [];
    const written: string[] = [];
    const run = async (args: string[]) => { calls.push(args); return { code: 0, stdout: args[0] === '-L' ? listing : '' }; };
    const lines = Array.from({ length: 20 }, (_, i) => gone(`10.88.1.${i}`));
    await deleteFlows(run, lines, (text) => { written.push(text); return '/tmp/x'; });
    expect(calls).toEqual([['-L', '-f', 'ipv4'], ['-R', '/tmp/x']]);
    expect(written[0].trim().split('\n')).toHaveLength(20);
  });

  it('without the conntrack tool does nothing more', async () => {
    const calls: string[][] = [];
    await deleteFlows(async (a) => { calls.push(a); return { code: 127, stdout: '' }; }, [gone('10.88.0.2')], () => 'x');
    expect(calls).toHaveLength(1);
  });
});
