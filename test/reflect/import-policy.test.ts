/**
 * Import policy between Adj-RIB-In and Loc-RIB (issue 6): RFC 8212 for eBGP without a policy,
 * changed attributes reaching every group, per-prefix policies, and a reload re-evaluating
 * the Adj-RIB-In as received (no resend by the peer) with only the differences sent on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reflector } from '../../src/reflect/reflector.js';
import { findAttribute, type UpdateMessage } from '../../src/wire/attribute-types.js';
import { parseIpv4 } from '../../src/wire/nlri.js';
import { compilePolicies } from '../../src/policy/compile.js';
import { ACCEPT_ALL, REJECT_ALL, type ExportRule } from '../../src/reflect/export-entries.js';
import { announce, CLUSTER, newSeen, reflectorPeer, settle } from './helpers-reflector.js';

const C102 = ((65000 << 16) | 102) >>> 0;
const lp = (u: UpdateMessage | undefined): number | undefined => (u === undefined ? undefined : findAttribute(u.attributes, 'localPref')?.value);
const newReflector = (): Reflector => new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });

function rule(raw: Record<string, unknown>, name: string): ExportRule {
  const policy = compilePolicies(raw, 'rr.yml', { localAs: 65000, groups: ['test', 'core'] }).policies.get(name);
  assert.ok(policy !== undefined);
  return { kind: 'policy', policy };
}

const FROM_CORE = { 'from-core': { default: 'accept', terms: [{ match: { community: '65000:102' }, then: { localPref: 20, action: 'accept' } }] } };

describe('import policy', () => {
  it('accepts nothing from an eBGP peer without a policy (RFC 8212), but keeps it as received', async () => {
    const r = newReflector();
    const [ebgp, client] = [newSeen(), newSeen()];
    r.peerUp({ ...reflectorPeer(1, 'ebgp', '198.51.100.1', ebgp, REJECT_ALL), importRule: REJECT_ALL, peerAs: 65010 });
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', client));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.equal(client.announced.size, 0);
    const v4 = r.rib.peerCounts(1).find((c) => c.afi === 1 && c.safi === 1);
    assert.deepEqual(v4, { afi: 1, safi: 1, received: 1, accepted: 0 });
    // A policy given later (config reload) takes the route from the Adj-RIB-In: no resend needed.
    const changed = r.updateImportRules((p) => (p.index === 1 ? rule({ all: { default: 'accept' } }, 'all') : undefined));
    assert.equal(changed, 1);
    await settle(r);
    assert.deepEqual([...client.announced.keys()], ['203.0.113.0/24']);
  });

  it('changes attributes before the decision process: every group sees the changed route', async () => {
    const r = newReflector();
    const [core, a, b] = [newSeen(), newSeen(), newSeen()];
    r.peerUp({ ...reflectorPeer(1, 'nonClient', '198.51.100.1', core, ACCEPT_ALL, 'core'), importRule: rule(FROM_CORE, 'from-core') });
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', a));
    r.peerUp(reflectorPeer(3, 'client', '198.51.100.3', b));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { communities: [C102], localPref: 100 }), false);
    r.onUpdate(1, announce(['198.51.100.0/24'], '198.18.0.1', { localPref: 100 }), false);
    await settle(r);
    for (const s of [a, b]) {
      assert.equal(lp(s.announced.get('203.0.113.0/24')), 20);
      assert.equal(lp(s.announced.get('198.51.100.0/24')), 100);
    }
  });

  it('a better local path wins over an imported one whose LOCAL_PREF the policy lowered', async () => {
    const r = newReflector();
    const [core, local, a] = [newSeen(), newSeen(), newSeen()];
    r.peerUp({ ...reflectorPeer(1, 'nonClient', '198.51.100.1', core, ACCEPT_ALL, 'core'), importRule: rule(FROM_CORE, 'from-core') });
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', local));
    r.peerUp(reflectorPeer(3, 'client', '198.51.100.3', a));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { communities: [C102], localPref: 100 }), false);
    r.onUpdate(2, announce(['203.0.113.0/24'], '198.18.0.2', { localPref: 50 }), false);
    await settle(r);
    const got = a.announced.get('203.0.113.0/24');
    assert.equal(findAttribute(got?.attributes ?? [], 'nextHop')?.value, parseIpv4('198.18.0.2'), 'LOCAL_PREF 50 beats the core path lowered to 20');
  });

  it('prefix-list import policies decide per prefix', async () => {
    const r = newReflector();
    const [peer, a] = [newSeen(), newSeen()];
    const bogons = rule({ prefixLists: { bogons: ['10.0.0.0/8 le 32', '192.168.0.0/16 le 32'] }, 'no-bogons': { default: 'accept', terms: [{ match: { prefixList: 'bogons' }, then: 'reject' }] } }, 'no-bogons');
    r.peerUp({ ...reflectorPeer(1, 'client', '198.51.100.1', peer), importRule: bogons });
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', a));
    r.onUpdate(1, announce(['10.1.0.0/16', '192.168.1.0/24', '203.0.113.0/24', '198.51.100.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.deepEqual([...a.announced.keys()].sort(), ['198.51.100.0/24', '203.0.113.0/24']);
    assert.deepEqual(r.rib.peerCounts(1).find((c) => c.afi === 1), { afi: 1, safi: 1, received: 4, accepted: 2 });
  });

  it('a reloaded import policy re-evaluates only what it changes, and sends only that', async () => {
    const r = newReflector();
    const [core, a] = [newSeen(), newSeen()];
    r.peerUp({ ...reflectorPeer(1, 'nonClient', '198.51.100.1', core, ACCEPT_ALL, 'core'), importRule: rule(FROM_CORE, 'from-core') });
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', a));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { communities: [C102] }), false);
    r.onUpdate(1, announce(['198.51.100.0/24', '198.51.101.0/24'], '198.18.0.1'), false);
    await settle(r);
    a.announceLog.length = 0;
    // The new policy rejects 65000:102 and leaves the rest alone.
    r.updateImportRules((p) => (p.index === 1 ? rule({ 'from-core': { default: 'accept', terms: [{ match: { community: '65000:102' }, then: 'reject' }] } }, 'from-core') : undefined));
    await settle(r);
    assert.deepEqual(a.withdrawn, ['203.0.113.0/24']);
    assert.deepEqual(a.announceLog, [], 'unchanged routes are not sent again');
  });
});
