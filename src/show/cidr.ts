// The network address of ip/prefix, for rendering a bridge address as a subnet.
import { formatCidr, parseCidr } from '../model/ip.js';

export function networkOf(address: string, prefix: number, _family: 4 | 6): string {
  const c = parseCidr(`${address}/${prefix}`);
  return c ? formatCidr(c) : `${address}/${prefix}`;
}
