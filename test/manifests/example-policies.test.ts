/**
 * The policies the examples' ConfigMaps ship, run through the policy engine (src/policy)
 * without any network: each example's meshrr.conf.yml and template are rendered as the pod
 * renders them, the `policies:` of the router config are compiled, every policy a group names
 * exists, and each policy does to sample routes what the example's README says. The same
 * promises end to end, on real pods, are test/e2e/*-policy.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compilePolicies, evaluate } from '../../src/policy/index.js';
import type { Policy, PolicySet } from '../../src/policy/index.js';
import { loadPodSetup } from '../../src/pod/setup.js';
import { mkRoute, mkSet } from '../policy/helpers.js';
import type { SetSpec } from '../policy/helpers.js';
import { confFiles, containerEnv, loadDocs } from './helpers-manifests.js';

async function policiesOf(example: string, workload: string): Promise<{ set: PolicySet; groups: { name: string; importPolicy: string | null; exportPolicy: string | null }[] }> {
  const docs = loadDocs([`examples/${example}`]);
  const w = docs.find((d) => d.name === workload && ['Deployment', 'DaemonSet', 'StatefulSet'].includes(d.kind));
  assert.ok(w !== undefined, `${example}: workload ${workload}`);
  const tmp = await mkdtemp(join(tmpdir(), 'meshrr-policies-'));
  try {
    for (const [name, text] of Object.entries(confFiles(docs, w))) await writeFile(join(tmp, name), text);
    const setup = await loadPodSetup({ POD_IP: '10.42.9.9', ...containerEnv(w).values, MESHRR_CONF: join(tmp, 'meshrr.conf.yml'), MESHRR_TEMPLATE: join(tmp, 'meshrr.conf.njk') });
    const c = setup.rendered.config;
    const set = compilePolicies(c.policies, `${example}/${workload}`, { localAs: c.asn, groups: c.groups.map((g) => g.name) });
    const groups = c.groups.map((g) => ({ name: g.name, importPolicy: g.importPolicy ?? null, exportPolicy: g.exportPolicy ?? null }));
    for (const g of groups) {
      for (const p of [g.importPolicy, g.exportPolicy]) if (p !== null) assert.ok(set.policies.has(p), `${example}: group ${g.name} names policy ${p}, which exists`);
    }
    return { set, groups };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function policy(set: PolicySet, name: string): Policy {
  const p = set.policies.get(name);
  assert.ok(p !== undefined, `policy ${name}`);
  return p;
}

/** accept/reject, and the LOCAL_PREF of an accepted route whose attributes changed. */
function run(p: Policy, prefix: string, spec: SetSpec): { accept: boolean; localPref?: number } {
  const o = evaluate(p, mkRoute(mkSet(spec), { prefix }));
  if (!o.accept) return { accept: false };
  const lp = o.attributes?.find((a) => a.kind === 'localPref');
  return lp === undefined ? { accept: true } : { accept: true, localPref: lp.value as number };
}

describe('example policies', () => {
  it('2regions-hrr: to-upstream keeps 65000:101 in the region and sends 65000:102 with LOCAL_PREF 20', async () => {
    for (const region of ['lothlorien', 'mirkwood']) {
      for (const x of ['a', 'b']) {
        const { set, groups } = await policiesOf('2regions-hrr', `meshrr-${region}-${x}`);
        assert.equal(groups.find((g) => g.name === 'MESHRR-UPSTREAM')?.exportPolicy, 'to-upstream', 'attached towards the core');
        for (const g of groups.filter((y) => y.name !== 'MESHRR-UPSTREAM')) assert.equal(g.exportPolicy, null, `${g.name} exports everything`);
        const p = policy(set, 'to-upstream');
        assert.deepEqual(run(p, '203.0.113.64/26', { communities: ['65000:101'] }), { accept: false });
        assert.deepEqual(run(p, '203.0.113.128/26', { communities: ['65000:102'], localPref: 100 }), { accept: true, localPref: 20 });
        assert.deepEqual(run(p, '203.0.113.0/26', { localPref: 100 }), { accept: true });
        assert.deepEqual(run(p, '203.0.113.0/26', { communities: ['65000:999'], localPref: 100 }), { accept: true });
      }
    }
    const core = await policiesOf('2regions-hrr', 'meshrr-core');
    assert.ok(core.groups.every((g) => g.exportPolicy === null && g.importPolicy === null), 'the core passes everything');
  });

  it('3clientgroups: full table, partial table (own AS + default), default route only, each ending in reject', async () => {
    const { set, groups } = await policiesOf('3clientgroups', 'meshrr-3clientgroups');
    const exportOf = (g: string): string | null => groups.find((y) => y.name === g)?.exportPolicy ?? null;
    assert.equal(exportOf('MESHRR-FULLTABLE-CLIENTS'), null);
    assert.equal(exportOf('MESHRR-PARTIALTABLE-CLIENTS'), 'partialtable-out');
    assert.equal(exportOf('MESHRR-DEFAULTONLY-CLIENTS'), 'defaultonly-out');
    const internal = ['203.0.113.0/24', { asPath: '' }] as const;
    const external = ['100.64.0.0/24', { asPath: '64500' }] as const;
    const externalDefault = ['0.0.0.0/0', { asPath: '64500' }] as const;
    const longer = ['0.0.0.0/1', { asPath: '64500' }] as const;
    const partial = policy(set, 'partialtable-out');
    assert.equal(run(partial, ...internal).accept, true, 'partial: a route of our AS');
    assert.equal(run(partial, ...external).accept, false, 'partial: not a route from outside');
    assert.equal(run(partial, ...externalDefault).accept, true, 'partial: the default route');
    assert.equal(run(partial, ...longer).accept, false, 'partial: 0.0.0.0/1 is not the default route');
    const dflt = policy(set, 'defaultonly-out');
    assert.equal(run(dflt, ...externalDefault).accept, true, 'default only: the default route');
    assert.equal(run(dflt, ...internal).accept, false, 'default only: nothing else, not even our own routes');
    assert.equal(run(dflt, ...external).accept, false);
    for (const name of ['partialtable-out', 'defaultonly-out']) {
      const p = policy(set, name);
      assert.equal(p.terms.at(-1)?.flow, 'reject', `${name} ends with an explicit reject term`);
    }
  });

  it('load-balanced-route-servers: the route-server clients accept and send everything', async () => {
    for (const w of ['meshrr-rs-a', 'meshrr-rs-b']) {
      const { set, groups } = await policiesOf('load-balanced-route-servers', w);
      const clients = groups.find((g) => g.name === 'MESHRR-CLIENTS');
      assert.deepEqual([clients?.importPolicy, clients?.exportPolicy], ['meshrr-accept', 'meshrr-accept'], 'eBGP needs a policy both ways (RFC 8212)');
      assert.equal(run(policy(set, 'meshrr-accept'), '203.0.113.0/24', { asPath: '65001' }).accept, true);
    }
  });
});
