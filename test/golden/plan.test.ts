// Golden plan cases (nmstate's gen_diff layout): each folder under plan/ holds
// topology.yaml and observed.json (the raw dumps the kernel adapter returned, and
// ctnet's namespace markers); the plan for them must equal plan.txt and plan.json (what `plan --json` prints).
// Adding a case means adding a folder and writing its expected files with UPDATE_GOLDEN=1 (a missing
// one fails: test/helpers/golden.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NsDump, OwnedNetns } from '../../src/kernel/port.js';
import { HOST } from '../../src/model/state.js';
import { toObserved } from '../../src/observe/convert.js';
import { nftFromListing } from '../../src/nft/observe.js';
import { plan } from '../../src/plan/index.js';
import { renderJson, renderText } from '../../src/plan/render.js';
import { planDoc } from '../../src/cli/json-doc.js';
import { ctnetVersion } from '../../src/package.js';
import { compile, loadTopology, namespacesOf } from '../../src/spec/index.js';
import { checkGolden } from '../helpers/golden.js';

const ROOT = join(import.meta.dirname, 'plan');

const check = checkGolden;

describe('golden plans', () => {
  const cases = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)('%s', async (name) => {
    const dir = join(ROOT, name);
    const { topology, diagnostics } = await loadTopology([join(dir, 'topology.yaml')]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const raw = JSON.parse(readFileSync(join(dir, 'observed.json'), 'utf8')) as NsDump[] | { dumps: NsDump[]; owned?: OwnedNetns[] };
    const { dumps, owned = [] } = Array.isArray(raw) ? { dumps: raw } : raw;
    // As the CLI reads: the topology's namespaces to compile, then also those the desired state labels
    // (namespaces ctnet made that leave the topology); observe() only dumps those, the rest do not exist for it.
    const read = (labels: Map<string, string>) => {
      const o = toObserved(dumps.filter((d) => d.ns === HOST || labels.has(d.ns)), labels, owned);
      // ctnet's nftables table as `nft -j list table inet ctnet` printed it, when the case has one.
      const table = nftFromListing((raw as { nft?: unknown }).nft);
      if (table) o.objects.set(table.key, table);
      return o;
    };
    const desired = compile(topology!, read(namespacesOf(topology!)));
    const p = plan(desired, read(desired.nsLabels));
    check(join(dir, 'plan.txt'), renderText(p) + '\n');
    // What `ctnet plan --json` prints (ctnet's version written as "VERSION").
    check(join(dir, 'plan.json'), planDoc(p, { project: topology!.project }).replace(`"${ctnetVersion()}"`, '"VERSION"') + '\n');
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'))).toMatchObject(renderJson(p) as object);
  });
});
