/**
 * The reflector core without sockets: fake member ports record what each peer would be sent,
 * and the recorded bytes are decoded back with the codec to check RFC 4456 behaviour.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reflector, type ReflectorPeer } from '../../src/reflect/reflector.js';
import { AS4_CTX, makeCtx } from '../../src/wire/context.js';
import { decodeUpdate } from '../../src/wire/update.js';
import { encodePrefixes, parseIpv4 } from '../../src/wire/nlri.js';
import { findAttribute, type UpdateMessage } from '../../src/wire/attribute-types.js';
import { afiSafiKey } from '../../src/wire/iana.js';
import { makeUpdate } from '../../src/wire/update.js';
import type { PeerRole } from '../../src/reflect/roles.js';
import { announce, CLUSTER, newSeen, port, reflectorPeer, settle, type Seen } from './helpers-reflector.js';

const peer = (index: number, role: PeerRole, bgpId: string, seen: Seen): ReflectorPeer => ({ ...reflectorPeer(index, role, bgpId, seen), localAddress: null });




describe('Reflector (RFC 4456)', () => {
  it('reflects a client route to other clients and non-clients with ORIGINATOR_ID and CLUSTER_LIST, not back to its sender', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const [a, b, c] = [newSeen(), newSeen(), newSeen()];
    r.peerUp(peer(1, 'client', '192.0.2.1', a));
    r.peerUp(peer(2, 'client', '192.0.2.2', b));
    r.peerUp(peer(3, 'nonClient', '192.0.2.3', c));
    await settle(r);
    assert.deepEqual([a.eor, b.eor, c.eor], [1, 1, 1], 'End-of-RIB after the (empty) initial dump');
    r.onUpdate(1, announce(['203.0.113.0/24', '198.51.100.0/24'], '198.18.0.1'), false);
    await settle(r);
    for (const s of [b, c]) {
      assert.deepEqual([...s.announced.keys()].sort(), ['198.51.100.0/24', '203.0.113.0/24']);
      const u = s.announced.get('203.0.113.0/24') as UpdateMessage;
      assert.equal(findAttribute(u.attributes, 'originatorId')?.value, parseIpv4('192.0.2.1'));
      assert.deepEqual(findAttribute(u.attributes, 'clusterList')?.value, [CLUSTER]);
      assert.equal(findAttribute(u.attributes, 'nextHop')?.value, parseIpv4('198.18.0.1'), 'NEXT_HOP unchanged');
    }
    assert.equal(a.announced.size, 0, 'nothing goes back to the sender');
    assert.equal(b.messages, 2, 'one packed UPDATE plus End-of-RIB');
  });

  it('sends non-client routes to clients only, and withdrawals everywhere they went', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const [a, c, d] = [newSeen(), newSeen(), newSeen()];
    r.peerUp(peer(1, 'client', '192.0.2.1', a));
    r.peerUp(peer(3, 'nonClient', '192.0.2.3', c));
    r.peerUp(peer(4, 'nonClient', '192.0.2.4', d));
    await settle(r);
    r.onUpdate(3, announce(['203.0.113.0/24'], '198.18.0.3'), false);
    await settle(r);
    assert.deepEqual([...a.announced.keys()], ['203.0.113.0/24']);
    assert.equal(d.announced.size, 0);
    r.onUpdate(3, makeUpdate({ withdrawn: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes([{ prefix: '203.0.113.0/24' }], false) } }), false);
    await settle(r);
    assert.equal(a.announced.size, 0);
    assert.deepEqual(a.withdrawn, ['203.0.113.0/24']);
  });

  it('drops looped routes (our cluster ID in CLUSTER_LIST) and treat-as-withdraw routes', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const [a, b] = [newSeen(), newSeen()];
    r.peerUp(peer(1, 'client', '192.0.2.1', a));
    r.peerUp(peer(2, 'client', '192.0.2.2', b));
    const looped = announce(['203.0.113.0/24'], '198.18.0.1');
    r.onUpdate(1, { ...looped, attributes: [...looped.attributes, { kind: 'clusterList', code: 10, flags: 0x80, value: [CLUSTER] }] }, false);
    r.onUpdate(1, announce(['198.51.100.0/24'], '198.18.0.1'), true);
    await settle(r);
    assert.equal(b.announced.size, 0);
    assert.equal(r.rib.counters.loopClusterList, 1);
    assert.equal(r.rib.counters.treatAsWithdraw, 1);
  });

  it('replaces the best path, and withdraws a session’s routes when it goes down', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const [a, b, c] = [newSeen(), newSeen(), newSeen()];
    r.peerUp(peer(1, 'client', '192.0.2.1', a));
    r.peerUp(peer(2, 'client', '192.0.2.2', b));
    r.peerUp(peer(3, 'client', '192.0.2.3', c));
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { localPref: 100 }), false);
    await settle(r);
    r.onUpdate(2, announce(['203.0.113.0/24'], '198.18.0.2', { localPref: 200 }), false);
    await settle(r);
    const atC = c.announced.get('203.0.113.0/24') as UpdateMessage;
    assert.equal(findAttribute(atC.attributes, 'localPref')?.value, 200);
    // a gets b's route; b, whose own route is now best, gets a withdrawal of a's route.
    assert.equal(findAttribute((a.announced.get('203.0.113.0/24') as UpdateMessage).attributes, 'originatorId')?.value, parseIpv4('192.0.2.2'));
    assert.equal(b.announced.has('203.0.113.0/24'), false);
    assert.deepEqual(b.withdrawn, ['203.0.113.0/24']);
    r.peerDown(2, false);
    await settle(r);
    assert.equal(findAttribute((c.announced.get('203.0.113.0/24') as UpdateMessage).attributes, 'localPref')?.value, 100);
    r.peerDown(1, false);
    await settle(r);
    assert.equal(c.announced.size, 0);
  });

  it('gives a member that joins later the whole table, then End-of-RIB', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const a = newSeen();
    r.peerUp(peer(1, 'nonClient', '192.0.2.1', a));
    const many = Array.from({ length: 3000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    r.onUpdate(1, announce(many.slice(0, 1000), '198.18.0.1'), false);
    r.onUpdate(1, announce(many.slice(1000), '198.18.0.1'), false);
    await settle(r);
    const late = newSeen();
    r.peerUp(peer(2, 'client', '192.0.2.2', late));
    await settle(r);
    assert.equal(late.announced.size, 3000);
    assert.equal(late.eor, 1);
    assert.ok(late.messages < 20, `packed into few UPDATEs (${late.messages})`);
  });

  it('sends every path with its own path identifier to an add-path group (RFC 7911)', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const [a, b, d] = [newSeen(), newSeen(), newSeen()];
    r.peerUp(peer(1, 'client', '192.0.2.1', a));
    r.peerUp(peer(2, 'client', '192.0.2.2', b));
    const apCtx = makeCtx({ as4: true, addPath: new Set([afiSafiKey(1, 1)]) });
    r.peerUp({ ...peer(4, 'client', '192.0.2.4', d), port: port(4, d, apCtx), addPathSend: 'all', addPathFamilies: [{ afi: 1, safi: 1 }] });
    await settle(r);
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1', { localPref: 100 }), false);
    r.onUpdate(2, announce(['203.0.113.0/24'], '198.18.0.2', { localPref: 200 }), false);
    await settle(r);
    const keys = [...d.announced.keys()].sort();
    assert.equal(keys.length, 2, `two paths: ${keys.join(' ')}`);
    const hops = [...d.announced.values()].map((u) => findAttribute(u.attributes, 'nextHop')?.value).sort();
    assert.deepEqual(hops, [parseIpv4('198.18.0.1'), parseIpv4('198.18.0.2')]);
    // Status counts the add-path group's Adj-RIB-Out per prefix, less what a member sent alone.
    const apGroup = [...r.groups.values()].find((g) => g.members.has(4));
    assert.ok(apGroup !== undefined);
    assert.deepEqual(apGroup.advertisedCounts(apGroup.familyIndex(1, 1)), { total: 1, onlyFrom: new Map() });
    r.onUpdate(1, makeUpdate({ withdrawn: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes([{ prefix: '203.0.113.0/24' }], false) } }), false);
    await settle(r);
    assert.deepEqual(apGroup.advertisedCounts(apGroup.familyIndex(1, 1)), { total: 1, onlyFrom: new Map([[2, 1]]) });
    assert.equal(d.announced.size, 1, 'only the withdrawn path went');
    assert.equal(findAttribute([...d.announced.values()][0]?.attributes ?? [], 'nextHop')?.value, parseIpv4('198.18.0.2'));
  });

  it('reflects VPNv4 routes opaque and matches a withdrawal with the RFC 8277 label 0x800000', async () => {
    const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
    const vpn = [{ afi: 1, safi: 1 }, { afi: 1, safi: 128 }];
    const got: Buffer[] = [];
    r.peerUp({ ...peer(1, 'client', '192.0.2.1', newSeen()), families: vpn });
    r.peerUp({ ...peer(2, 'client', '192.0.2.2', newSeen()), families: vpn, port: { index: 2, writable: true, write: (m: Buffer) => got.push(Buffer.from(m)) > 0 } });
    await settle(r);
    // label 100 (BoS), RD 0:65000:1, 10.1.0.0/16: 24 + 64 + 16 = 104 bits
    const nlri = Buffer.from('68' + '000641' + '00000000fde80001' + '0a01', 'hex');
    const reach = { kind: 'mpReach', code: 14, flags: 0x80, value: { afi: 1, safi: 128, nextHop: Buffer.from('0000000000000000c6120001', 'hex'), reserved: Buffer.from([0]), nlri: { afi: 1, safi: 128, addPath: false, bytes: nlri } } } as const;
    const base = announce([], '198.18.0.1');
    r.onUpdate(1, { ...base, attributes: [reach, ...base.attributes.filter((a) => a.kind !== 'nextHop')] }, false);
    await settle(r);
    const ann = got.map((m) => decodeUpdate(m.subarray(19), AS4_CTX)).find((x) => x.ok && x.update.attributes.some((a) => a.kind === 'mpReach'));
    assert.ok(ann !== undefined && ann.ok);
    const m = findAttribute(ann.update.attributes, 'mpReach');
    assert.deepEqual(m?.value.nlri.bytes, nlri, 'the NLRI, label included, passes byte for byte');
    assert.equal(findAttribute(ann.update.attributes, 'originatorId')?.value, parseIpv4('192.0.2.1'));
    got.length = 0;
    const wd = Buffer.from('68' + '800000' + '00000000fde80001' + '0a01', 'hex');
    r.onUpdate(1, makeUpdate({ attributes: [{ kind: 'mpUnreach', code: 15, flags: 0x80, value: { afi: 1, safi: 128, withdrawn: { afi: 1, safi: 128, addPath: false, bytes: wd } } }] }), false);
    await settle(r);
    const w = got.map((x) => decodeUpdate(x.subarray(19), AS4_CTX)).find((x) => x.ok && x.update.attributes.some((a) => a.kind === 'mpUnreach'));
    assert.ok(w !== undefined, 'the withdrawal reached the other client');
    assert.equal(r.rib.family(1, 128)?.size, 0);
  });
});
