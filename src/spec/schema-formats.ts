// The string formats the topology schema uses: ajv-formats' own (ipv4, ipv6, …) and ctnet's two CIDR
// formats. One object for both ways of validating: compiled at start (schema.ts, when no generated
// validator is there) and the validator generated at build time (scripts/gen-validator.mjs), which
// imports this module.
import fullFormatsModule from 'ajv-formats/dist/formats.js';
import { parseCidr } from '../model/ip.js';

// ajv-formats is CommonJS: NodeNext sees the module object.
const { fullFormats } = ((fullFormatsModule as any).default ?? fullFormatsModule) as { fullFormats: Record<string, unknown> };

const formats: Record<string, unknown> = {
  ...fullFormats,
  'ipv4-cidr': (s: string) => parseCidr(s)?.family === 4,
  'ipv6-cidr': (s: string) => parseCidr(s)?.family === 6,
};
export default formats;
