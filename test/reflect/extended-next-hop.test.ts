// RFC 8950 export gate (src/reflect/roles.ts rule 5): an IPv4 unicast route with an IPv6 next
// hop goes, in MP_REACH_NLRI, only to peers that negotiated extended next hop for IPv4 unicast
// with next-hop AFI 2; to the others it is not eligible (withdrawn if sent, never announced).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reflector, type ReflectorPeer } from '../../src/reflect/reflector.js';
import { nextHopSendable } from '../../src/reflect/roles.js';
import { AS4_CTX } from '../../src/wire/context.js';
import { decodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { encodePrefixes, listPrefixes, parseIpv4 } from '../../src/wire/nlri.js';
import type { PathAttribute, UpdateMessage } from '../../src/wire/attribute-types.js';
import type { AttrSet } from '../../src/rib/attr-set.js';
import { announce, CLUSTER, reflectorPeer, settle } from './helpers-reflector.js';

const V6_NEXT_HOP = Buffer.from('20010db8000000000000000000000001', 'hex'); // 2001:db8::1

/** What one peer was sent, IPv4 unicast only, classic fields and MP_* alike. */
interface Sent {
  /** Prefix -> next hop octets as hex, for what is announced now. */
  readonly routes: Map<string, string>;
  readonly withdrawn: string[];
  /** Announcements that came in MP_REACH_NLRI. */
  mpAnnounced: number;
}

function recordingPeer(index: number, bgpId: string, sent: Sent, extendedNextHop: boolean | undefined): ReflectorPeer {
  const base = reflectorPeer(index, 'client', bgpId, { announced: new Map(), withdrawn: [], eor: 0, messages: 0, announceLog: [] });
  return {
    ...base,
    ...(extendedNextHop !== undefined ? { extendedNextHop } : {}),
    port: {
      index,
      writable: true,
      write(msg: Buffer): boolean {
        const r = decodeUpdate(msg.subarray(19), AS4_CTX);
        assert.ok(r.ok && r.action === null, 'the reflector sends well-formed UPDATEs');
        const u = r.update;
        const withdraw = (prefix: string): void => {
          sent.withdrawn.push(prefix);
          sent.routes.delete(prefix);
        };
        for (const p of listPrefixes(u.withdrawn)) withdraw(p.prefix);
        let nextHop = '';
        for (const a of u.attributes) {
          if (a.kind === 'nextHop') nextHop = Buffer.from([a.value >>> 24, (a.value >>> 16) & 255, (a.value >>> 8) & 255, a.value & 255]).toString('hex');
          if (a.kind === 'mpUnreach' && a.value.afi === 1 && a.value.safi === 1) for (const p of listPrefixes(a.value.withdrawn)) withdraw(p.prefix);
        }
        for (const p of listPrefixes(u.nlri)) sent.routes.set(p.prefix, nextHop);
        for (const a of u.attributes) {
          if (a.kind !== 'mpReach' || a.value.afi !== 1 || a.value.safi !== 1) continue;
          for (const p of listPrefixes(a.value.nlri)) {
            sent.routes.set(p.prefix, a.value.nextHop.toString('hex'));
            sent.mpAnnounced++;
          }
        }
        return true;
      },
    },
  };
}

const newSent = (): Sent => ({ routes: new Map(), withdrawn: [], mpAnnounced: 0 });

/** IPv4 unicast prefixes in MP_REACH_NLRI with an IPv6 next hop (RFC 8950 §3 encoding). */
function announceViaV6(prefixes: string[]): UpdateMessage {
  const nlri = { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes(prefixes.map((prefix) => ({ prefix })), false) };
  const attributes: PathAttribute[] = [
    { kind: 'mpReach', code: 14, flags: 0x80, value: { afi: 1, safi: 1, nextHop: V6_NEXT_HOP, reserved: Buffer.from([0]), nlri } },
    { kind: 'origin', code: 1, flags: 0x40, value: 0 },
    { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [65001] }] },
    { kind: 'localPref', code: 5, flags: 0x40, value: 100 },
  ];
  return makeUpdate({ attributes });
}

async function setup(): Promise<{ r: Reflector; withEnh: Sent; without: Sent; unset: Sent }> {
  const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
  const [source, withEnh, without, unset] = [newSent(), newSent(), newSent(), newSent()];
  r.peerUp(recordingPeer(1, '192.0.2.1', source, true));
  r.peerUp(recordingPeer(2, '192.0.2.2', withEnh, true));
  r.peerUp(recordingPeer(3, '192.0.2.3', without, false));
  r.peerUp(recordingPeer(4, '192.0.2.4', unset, undefined));
  await settle(r);
  return { r, withEnh, without, unset };
}

describe('RFC 8950 export gate: IPv4 unicast routes with IPv6 next hops', () => {
  it('go in MP_REACH_NLRI to a peer that negotiated extended next hop, to no other', async () => {
    const { r, withEnh, without, unset } = await setup();
    r.onUpdate(1, announceViaV6(['203.0.113.0/24', '198.51.100.0/24']), false);
    await settle(r);
    assert.deepEqual([...withEnh.routes.entries()].sort(), [
      ['198.51.100.0/24', V6_NEXT_HOP.toString('hex')],
      ['203.0.113.0/24', V6_NEXT_HOP.toString('hex')],
    ]);
    assert.equal(withEnh.mpAnnounced, 2);
    assert.deepEqual([...without.routes.keys()], [], 'a peer without the capability gets nothing');
    assert.deepEqual([...unset.routes.keys()], [], 'extendedNextHop absent counts as not negotiated');
    assert.deepEqual(without.withdrawn, [], 'nothing to withdraw: it was never sent');
  });

  it('withdraw what a peer without the capability was sent when the next hop becomes IPv6', async () => {
    const { r, withEnh, without } = await setup();
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.equal(without.routes.get('203.0.113.0/24'), 'c6120001', 'an IPv4 next hop goes to everyone');
    assert.equal(withEnh.routes.get('203.0.113.0/24'), 'c6120001');

    r.onUpdate(1, announceViaV6(['203.0.113.0/24']), false);
    await settle(r);
    assert.equal(without.routes.has('203.0.113.0/24'), false);
    assert.deepEqual(without.withdrawn, ['203.0.113.0/24']);
    assert.equal(withEnh.routes.get('203.0.113.0/24'), V6_NEXT_HOP.toString('hex'));
    assert.deepEqual(withEnh.withdrawn, []);

    // And back: an IPv4 next hop is eligible again everywhere.
    r.onUpdate(1, announce(['203.0.113.0/24'], '198.18.0.1'), false);
    await settle(r);
    assert.equal(without.routes.get('203.0.113.0/24'), 'c6120001');
  });

  it('keeps peers with and without the capability in different update groups', async () => {
    const { r } = await setup();
    assert.equal(r.groups.size, 2);
    const keys = [...r.groups.keys()];
    assert.equal(keys.filter((k) => k.includes('|enh|')).length, 1);
  });

  it('nextHopSendable: only IPv4 unicast with a non-IPv4 next hop needs the capability', () => {
    const set = (nh: Buffer): AttrSet => ({ nextHop: nh }) as unknown as AttrSet;
    const v4 = set(Buffer.from([198, 18, 0, 1]));
    const v6 = set(V6_NEXT_HOP);
    const v6ll = set(Buffer.concat([V6_NEXT_HOP, Buffer.from('fe800000000000000000000000000001', 'hex')]));
    const off = { extendedNextHop: false };
    const on = { extendedNextHop: true };
    assert.equal(nextHopSendable(v4, 1, 1, off), true);
    assert.equal(nextHopSendable(v6, 1, 1, off), false);
    assert.equal(nextHopSendable(v6ll, 1, 1, off), false, '32 octets: global + link-local (RFC 8950 §3)');
    assert.equal(nextHopSendable(v6, 1, 1, on), true);
    assert.equal(nextHopSendable(v6, 2, 1, off), true, 'IPv6 routes are not concerned');
    assert.equal(nextHopSendable(v6, 1, 128, off), true, 'opaque families are carried as received');
  });
});
