/**
 * Fake member ports for Reflector tests: each records what its peer would be sent, decoded
 * back with the codec.
 */
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { Reflector, ReflectorPeer } from '../../src/reflect/reflector.js';
import { AS4_CTX, type CodecCtx } from '../../src/wire/context.js';
import { decodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { encodePrefixes, listPrefixes, parseIpv4 } from '../../src/wire/nlri.js';
import type { PathAttribute, UpdateMessage } from '../../src/wire/attribute-types.js';
import type { PeerRole } from '../../src/reflect/roles.js';
import { ACCEPT_ALL, type ExportRule } from '../../src/reflect/export-entries.js';
import { localPeer } from '../../src/reflect/local-peer.js';

export interface Seen {
  announced: Map<string, UpdateMessage>;
  withdrawn: string[];
  eor: number;
  messages: number;
  /** Prefixes announced, in order, every time (a re-send counts again). */
  announceLog: string[];
}

export const newSeen = (): Seen => ({ announced: new Map(), withdrawn: [], eor: 0, messages: 0, announceLog: [] });

export function port(index: number, seen: Seen, ctx: CodecCtx = AS4_CTX): ReflectorPeer['port'] {
  return {
    index,
    writable: true,
    write(msg: Buffer): boolean {
      seen.messages++;
      const r = decodeUpdate(msg.subarray(19), ctx);
      assert.ok(r.ok && r.action === null, 'the reflector sends well-formed UPDATEs');
      const u = r.update;
      if (u.attributes.length === 0 && u.nlri.bytes.length === 0 && u.withdrawn.bytes.length === 0) seen.eor++;
      // With add-path, a path is its prefix and path identifier.
      const key = (p: { pathId: number; prefix: string }): string => (ctx.addPath.size > 0 ? `${p.prefix}#${p.pathId}` : p.prefix);
      for (const p of listPrefixes(u.withdrawn)) {
        seen.withdrawn.push(key(p));
        seen.announced.delete(key(p));
      }
      for (const p of listPrefixes(u.nlri)) {
        seen.announced.set(key(p), u);
        seen.announceLog.push(key(p));
      }
      return true;
    },
  };
}

export const CLUSTER = parseIpv4('10.42.0.1');

export function reflectorPeer(index: number, role: PeerRole, bgpId: string, seen: Seen, exportRule: ExportRule = ACCEPT_ALL, group = 'test'): ReflectorPeer {
  const addr = Buffer.alloc(4);
  addr.writeUInt32BE(parseIpv4(bgpId) >>> 0);
  return localPeer(index, addr, port(index, seen), { role, clusterId: CLUSTER, group, peerAs: 65000, localAddress: Buffer.from([10, 42, 0, 1]), exportRule });
}

export function announce(prefixes: string[], nextHop: string, extra: { localPref?: number; communities?: number[] } = {}): UpdateMessage {
  const attrs: PathAttribute[] = [
    { kind: 'origin', code: 1, flags: 0x40, value: 0 },
    { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [65001] }] },
    { kind: 'nextHop', code: 3, flags: 0x40, value: parseIpv4(nextHop) },
    { kind: 'localPref', code: 5, flags: 0x40, value: extra.localPref ?? 100 },
  ];
  if (extra.communities !== undefined) attrs.push({ kind: 'communities', code: 8, flags: 0xc0, value: extra.communities });
  return makeUpdate({ attributes: attrs, nlri: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes(prefixes.map((prefix) => ({ prefix })), false) } });
}

export async function settle(r: Reflector): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
  assert.equal(r.rib.pendingDecisions, 0);
}
