/**
 * Reload planning (src/rr/reload.ts): what a new router config changes, what it refuses, and
 * that unchanged policies keep their compiled objects (so nothing is re-evaluated for them).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { planReload } from '../../src/rr/reload.js';

const BASE = `
routerId: 10.1.0.1
asn: 65000
groups:
  - name: clients
    role: client
    listenRanges: [10.1.0.0/16]
  - name: core
    role: nonClient
    neighbors:
      - address: 10.0.0.1
      - address: 10.0.0.2
    exportPolicy: to-core
  - name: old
    role: nonClient
    neighbors: [{address: 10.9.0.1}]
policies:
  to-core:
    default: accept
    terms:
      - match: {community: 65000:101}
        then: reject
  spare:
    default: reject
`;

const parse = (text: string) => parseRouterConfig(text, 'rr.yml');

describe('planReload', () => {
  it('an identical config changes nothing and keeps every compiled policy', () => {
    const old = parse(BASE);
    const plan = planReload(old, parse(BASE));
    assert.deepEqual(plan.refused, []);
    assert.deepEqual([plan.groupsAdded, plan.groupsRemoved, plan.groupsReset, plan.neighborsAdded, plan.neighborsRemoved, plan.neighborsReset, plan.policiesChanged], [[], [], [], [], [], [], []]);
    assert.equal(plan.config.policySet.policies.get('to-core'), old.policySet.policies.get('to-core'));
  });

  it('refuses a new router ID, AS or listen address and says which', () => {
    const plan = planReload(parse(BASE), parse(BASE.replace('routerId: 10.1.0.1', 'routerId: 10.1.0.9').replace('asn: 65000', 'asn: 65001')));
    assert.deepEqual(plan.refused, ['routerId changes from 10.1.0.1 to 10.1.0.9', 'asn changes from 65000 to 65001']);
  });

  it('a changed policy is re-compiled, others are kept; no session is touched', () => {
    const old = parse(BASE);
    const plan = planReload(old, parse(BASE.replace('then: reject', 'then: {localPref: 20, action: accept}')));
    assert.deepEqual(plan.policiesChanged, ['to-core']);
    assert.notEqual(plan.config.policySet.policies.get('to-core'), old.policySet.policies.get('to-core'));
    assert.equal(plan.config.policySet.policies.get('spare'), old.policySet.policies.get('spare'));
    assert.deepEqual([plan.groupsReset, plan.neighborsReset], [[], []]);
  });

  it('groups and neighbours added, removed and changed', () => {
    const next = BASE.replace('      - address: 10.0.0.1\n      - address: 10.0.0.2\n', '      - address: 10.0.0.1\n        port: 1179\n      - address: 10.0.0.3\n')
      .replace('  - name: old\n    role: nonClient\n    neighbors: [{address: 10.9.0.1}]\n', '  - name: new\n    role: nonClient\n    neighbors: [{address: 10.8.0.1}]\n')
      .replace('    listenRanges: [10.1.0.0/16]', '    listenRanges: [10.1.0.0/16]\n    holdTime: 30');
    const plan = planReload(parse(BASE), parse(next));
    assert.deepEqual(plan.groupsAdded, ['new']);
    assert.deepEqual(plan.groupsRemoved, ['old']);
    assert.deepEqual(plan.groupsReset, ['clients'], 'a new hold time resets the group');
    assert.deepEqual(plan.neighborsAdded.map((n) => n.neighbor.address), ['10.0.0.3']);
    assert.deepEqual(plan.neighborsRemoved.map((n) => n.address), ['10.0.0.2']);
    assert.deepEqual(plan.neighborsReset.map((n) => n.neighbor.address), ['10.0.0.1']);
  });
});
