/**
 * Export policy at update groups (issue 6): a group's policy filters and changes what its
 * members are sent; RFC 8212 for eBGP without a policy; prefix-list policies evaluated per
 * prefix; a reload re-evaluates the Adj-RIB-Out and sends only the differences.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reflector } from '../../src/reflect/reflector.js';
import { findAttribute, type UpdateMessage } from '../../src/wire/attribute-types.js';
import { parseIpv4 } from '../../src/wire/nlri.js';
import { compilePolicies } from '../../src/policy/compile.js';
import type { Policy } from '../../src/policy/types.js';
import { REJECT_ALL, type ExportRule } from '../../src/reflect/export-entries.js';
import { announce, CLUSTER, newSeen, reflectorPeer, settle } from './helpers-reflector.js';

const C101 = ((65000 << 16) | 101) >>> 0;
const C102 = ((65000 << 16) | 102) >>> 0;

function policies(raw: Record<string, unknown>): Map<string, Policy> {
  return new Map(compilePolicies(raw, 'rr.yml', { localAs: 65000, groups: ['test', 'core'] }).policies);
}

function rule(p: Map<string, Policy>, name: string): ExportRule {
  const policy = p.get(name);
  assert.ok(policy !== undefined);
  return { kind: 'policy', policy };
}

const REGIONAL = {
  'to-core': {
    default: 'accept',
    terms: [
      { name: 'keep-regional', match: { community: '65000:101' }, then: 'reject' },
      { name: 'remote', match: { community: '65000:102' }, then: { localPref: 20, action: 'accept' } },
    ],
  },
};

const newReflector = (): Reflector => new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
const lp = (u: UpdateMessage | undefined): number | undefined => (u === undefined ? undefined : findAttribute(u.attributes, 'localPref')?.value);

describe('export policy per update group', () => {
  it('rejects 65000:101 and sets LOCAL_PREF 20 on 65000:102 towards the core only', async () => {
    const p = policies(REGIONAL);
    const r = newReflector();
    const [client, other, core] = [newSeen(), newSeen(), newSeen()];
    r.peerUp(reflectorPeer(1, 'client', '198.51.100.1', client));
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', other));
    r.peerUp(reflectorPeer(3, 'nonClient', '198.51.100.3', core, rule(p, 'to-core'), 'core'));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { communities: [C101] }), false);
    r.onUpdate(1, announce(['203.0.113.128/25'], '198.18.0.1', { communities: [C102], localPref: 150 }), false);
    r.onUpdate(1, announce(['198.51.100.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.deepEqual([...other.announced.keys()].sort(), ['198.51.100.0/24', '203.0.113.0/24', '203.0.113.128/25'], 'the region gets everything');
    assert.equal(lp(other.announced.get('203.0.113.128/25')), 150, 'in the region LOCAL_PREF is unchanged');
    assert.deepEqual([...core.announced.keys()].sort(), ['198.51.100.0/24', '203.0.113.128/25'], '65000:101 never reaches the core');
    assert.equal(lp(core.announced.get('203.0.113.128/25')), 20);
    assert.equal(lp(core.announced.get('198.51.100.0/24')), 100);
    const u = core.announced.get('203.0.113.128/25') as UpdateMessage;
    assert.deepEqual(findAttribute(u.attributes, 'clusterList')?.value, [CLUSTER], 'reflection still adds CLUSTER_LIST after policy');
  });

  it('sends nothing to an eBGP group without a policy (RFC 8212)', async () => {
    const r = newReflector();
    const [client, ebgp] = [newSeen(), newSeen()];
    r.peerUp(reflectorPeer(1, 'client', '198.51.100.1', client));
    r.peerUp({ ...reflectorPeer(2, 'ebgp', '198.51.100.2', ebgp, REJECT_ALL), peerAs: 65010 });
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.equal(ebgp.announced.size, 0);
    assert.equal(ebgp.eor, 1, 'End-of-RIB is still sent');
  });

  it('evaluates prefix-list policies per prefix, sharing one encoding per outcome', async () => {
    const p = policies({
      pl: {
        default: 'reject',
        terms: [
          { name: 'short', match: { prefixList: '10.0.0.0/8 le 16' }, then: { localPref: 300, action: 'accept' } },
          { name: 'long', match: { prefixList: '10.0.0.0/8 ge 24' }, then: 'accept' },
        ],
      },
    });
    const r = newReflector();
    const [client, out] = [newSeen(), newSeen()];
    r.peerUp(reflectorPeer(1, 'client', '198.51.100.1', client));
    r.peerUp(reflectorPeer(2, 'client', '198.51.100.2', out, rule(p, 'pl')));
    r.onUpdate(1, announce(['10.1.0.0/16', '10.2.0.0/16', '10.1.1.0/24', '10.1.2.0/24', '10.3.0.0/20', '192.168.0.0/16'], '198.18.0.1'), false);
    await settle(r);
    assert.deepEqual([...out.announced.keys()].sort(), ['10.1.0.0/16', '10.1.1.0/24', '10.1.2.0/24', '10.2.0.0/16']);
    assert.equal(lp(out.announced.get('10.1.0.0/16')), 300);
    assert.equal(lp(out.announced.get('10.1.1.0/24')), 100);
    // Two outcomes (changed, unchanged) of one attribute set: two UPDATEs plus End-of-RIB.
    assert.equal(out.messages, 3);
  });

  it('a reloaded policy re-evaluates the Adj-RIB-Out and sends only the differences', async () => {
    const r = newReflector();
    const [client, core] = [newSeen(), newSeen()];
    const before = policies(REGIONAL);
    r.peerUp(reflectorPeer(1, 'client', '198.51.100.1', client));
    r.peerUp(reflectorPeer(3, 'nonClient', '198.51.100.3', core, rule(before, 'to-core'), 'core'));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { communities: [C101] }), false);
    r.onUpdate(1, announce(['203.0.113.128/25'], '198.18.0.1', { communities: [C102] }), false);
    r.onUpdate(1, announce(['198.51.100.0/24', '198.51.101.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.deepEqual([...core.announced.keys()].sort(), ['198.51.100.0/24', '198.51.101.0/24', '203.0.113.128/25']);
    core.announceLog.length = 0;
    // Now 65000:101 may leave the region with LOCAL_PREF 50, and 65000:102 is no longer touched.
    const after = policies({ 'to-core': { default: 'accept', terms: [{ name: 'regional-low', match: { community: '65000:101' }, then: { localPref: 50, action: 'accept' } }] } });
    r.updateExportRules((peer) => (peer.group === 'core' ? rule(after, 'to-core') : undefined));
    await settle(r);
    assert.deepEqual(core.announceLog.sort(), ['203.0.113.0/24', '203.0.113.128/25'], 'only the routes whose outcome changed are sent');
    assert.equal(lp(core.announced.get('203.0.113.0/24')), 50);
    assert.equal(lp(core.announced.get('203.0.113.128/25')), 100);
    assert.deepEqual(core.withdrawn, []);
    // And back: the 65000:101 route is withdrawn again, nothing else is sent.
    core.announceLog.length = 0;
    r.updateExportRules((peer) => (peer.group === 'core' ? rule(policies(REGIONAL), 'to-core') : undefined));
    await settle(r);
    assert.deepEqual(core.withdrawn, ['203.0.113.0/24']);
    assert.deepEqual(core.announceLog, ['203.0.113.128/25']);
    assert.equal(lp(core.announced.get('203.0.113.128/25')), 20);
  });

  it('a peer whose group names another policy moves update group and gets that table', async () => {
    const p = policies({ ...REGIONAL, all: { default: 'accept' } });
    const r = newReflector();
    const [client, core] = [newSeen(), newSeen()];
    r.peerUp(reflectorPeer(1, 'client', '198.51.100.1', client));
    r.peerUp(reflectorPeer(3, 'nonClient', '198.51.100.3', core, rule(p, 'to-core'), 'core'));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { communities: [C101] }), false);
    await settle(r);
    assert.equal(core.announced.size, 0);
    r.updateExportRules((peer) => (peer.group === 'core' ? rule(p, 'all') : undefined));
    await settle(r);
    assert.deepEqual([...core.announced.keys()], ['203.0.113.0/24']);
    assert.equal(r.groups.size, 2);
  });
});
