// Pure semantic checks on the normalised topology. Each rule is a function
// Topology -> Diagnostic[] that names what is wrong, where, and what to do; they
// are independent, so `validate` reports every problem at once.
import type { Diagnostic } from '../errors.js';
import { addressRules } from './rules-addresses.js';
import { containerRules } from './rules-containers.js';
import { hostRules } from './rules-hosts.js';
import { linkRules } from './rules-links.js';
import { nameRules } from './rules-names.js';
import { portRules } from './rules-ports.js';
import type { Rule, Topology } from './types.js';

export type { Rule };

export const rules: Rule[] = [...nameRules, ...addressRules, ...containerRules, ...portRules, ...linkRules, ...hostRules];

export function checkRules(t: Topology): Diagnostic[] {
  return rules.flatMap((rule) => rule(t));
}
