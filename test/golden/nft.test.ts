// Golden rulesets: each folder under test/golden/nft/ holds topology.yaml; the
// canonical ruleset ctnet wants for it must equal ruleset.json, and its
// user-level description (what `ctnet plan` lists) summary.txt.
// UPDATE_GOLDEN=1 rewrites both. Adding a case means adding a folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nftKey } from '../../src/model/keys.js';
import type { NftTableObj } from '../../src/model/state.js';
import { describe as describeRuleset } from '../../src/nft/describe.js';
import { compile, loadTopology } from '../../src/spec/index.js';
import { checkGolden } from '../helpers/golden.js';

const ROOT = join(import.meta.dirname, 'nft');
const check = checkGolden;

describe('golden nft rulesets', () => {
  const cases = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  it('has cases', () => expect(cases.length).toBeGreaterThan(2));

  it.each(cases)('%s', async (name) => {
    const dir = join(ROOT, name);
    const { topology, diagnostics } = await loadTopology([join(dir, 'topology.yaml')]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const desired = compile(topology!, undefined);
    const table = desired.objects.get(nftKey()) as NftTableObj;
    check(join(dir, 'ruleset.json'), JSON.stringify(table.ruleset, null, 1) + '\n');
    const sysctls = [...desired.objects.values()].filter((o) => o.kind === 'sysctl').map((o) => `sysctl ${o.kind === 'sysctl' ? `${o.path}=${o.value}` : ''}`);
    check(join(dir, 'summary.txt'), [...describeRuleset(table.ruleset, table.names), ...sysctls].join('\n') + '\n');
  });
});
