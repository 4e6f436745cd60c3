// Pure: a short human detail for a changed hosts/resolv.conf block, naming the
// lines that appear and disappear ("+10.1.0.7 web2, -10.1.0.5 web2").
export function blockChange(before: string, after: string): string {
  const b = new Set(before === '' ? [] : before.split('\n'));
  const a = new Set(after === '' ? [] : after.split('\n'));
  const added = [...a].filter((l) => !b.has(l)).map((l) => `+${l.replace(/\s+/g, ' ')}`);
  const removed = [...b].filter((l) => !a.has(l)).map((l) => `-${l.replace(/\s+/g, ' ')}`);
  const all = [...added, ...removed];
  if (all.length === 0) return 'lines reordered';
  return all.length <= 4 ? all.join(', ') : `${all.slice(0, 4).join(', ')} (+${all.length - 4} more)`;
}
