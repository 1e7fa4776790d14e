/**
 * Churn against the reflector core: random announcements, implicit withdrawals, withdrawals,
 * sessions going down (with and without graceful restart) and members joining while
 * decisions are pending (a new group is seeded from the Loc-RIB mid-churn). Nothing may
 * throw, and once settled a member that joined late holds exactly what a member that was
 * there all along holds (both are sent from the same Loc-RIB).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Reflector } from '../../src/reflect/reflector.js';
import { makeUpdate } from '../../src/wire/update.js';
import type { PathAttribute, UpdateMessage } from '../../src/wire/attribute-types.js';
import { encodePrefixes, parseIpv4 } from '../../src/wire/nlri.js';
import { announce, CLUSTER, newSeen, reflectorPeer, settle, type Seen } from './helpers-reflector.js';

/** mulberry32: a fixed seed gives the same run every time. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = Array.from({ length: 300 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);

describe('reflector under churn', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: no throw; a late member converges to the same table`, async () => {
      const next = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
      const r = new Reflector({ routerId: parseIpv4('10.42.0.1'), localAs: 65000, clusterIds: [CLUSTER] });
      const senders = [1, 2, 3, 4];
      const up = new Set<number>();
      const seen = new Map<number, Seen>();
      const bring = (i: number): void => {
        const s = newSeen();
        seen.set(i, s);
        r.peerUp(reflectorPeer(i, i % 2 === 0 ? 'client' : 'nonClient', `198.51.100.${i}`, s));
        up.add(i);
      };
      for (const i of senders) bring(i);
      const watcher = newSeen();
      r.peerUp(reflectorPeer(50, 'client', '198.51.100.50', watcher));
      let lateIndex = 100;
      let late: Seen | null = null;
      for (let op = 0; op < 1500; op++) {
        const x = next();
        const p = pick(senders);
        if (!up.has(p)) {
          if (x < 0.3) bring(p);
          continue;
        }
        if (x < 0.55) {
          const n = 1 + Math.floor(next() * 20);
          const list = Array.from({ length: n }, () => pick(PREFIXES));
          r.onUpdate(p, announce([...new Set(list)], `198.18.0.${p}`, { localPref: pick([90, 100, 110]), communities: [pick([1, 2, 3]) >>> 0] }), false);
        } else if (x < 0.8) {
          const list = [...new Set(Array.from({ length: 5 }, () => pick(PREFIXES)))];
          r.onUpdate(p, makeUpdate({ withdrawn: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes(list.map((prefix) => ({ prefix })), false) } }), false);
        } else if (x < 0.86) {
          r.peerDown(p, next() < 0.5);
          up.delete(p);
          if (next() < 0.5) r.sweepStale(p);
        } else if (x < 0.9) {
          // A member joins while decisions are pending, in a group of its own (its cluster ID
          // differs), so the group is created and seeded from the Loc-RIB mid-churn.
          late = newSeen();
          lateIndex++;
          r.peerUp({ ...reflectorPeer(lateIndex, 'client', `198.51.101.${lateIndex & 255}`, late), clusterId: 0x0a000000 + lateIndex });
        }
        if (next() < 0.3) await tick();
      }
      for (const p of senders) if (!up.has(p)) r.sweepStale(p);
      await settle(r);
      for (let i = 0; i < 10; i++) await tick();
      const lateSeen: Seen | null = late;
      assert.ok(lateSeen !== null, 'some member joined late');
      const keys = (s: Seen): string[] => [...s.announced.keys()].sort();
      assert.deepEqual(keys(lateSeen), keys(watcher));
      // Same path (next hop, LOCAL_PREF, communities); CLUSTER_LIST may differ with the cluster ID.
      const pick2 = (u: UpdateMessage | undefined): PathAttribute[] => (u?.attributes ?? []).filter((x) => x.kind === 'nextHop' || x.kind === 'localPref' || x.kind === 'communities');
      for (const prefix of keys(watcher)) {
        const a = lateSeen.announced.get(prefix);
        const b = watcher.announced.get(prefix);
        assert.deepEqual(pick2(a), pick2(b), `same path for ${prefix}`);
      }
    });
  }
});
