/**
 * The in-process reduction of a replay.test.ts failure: a BIRD client connecting once meshrr
 * held the 2015 table stopped receiving its initial dump for good, at 458,750 or 524,285 of
 * 577,699 prefixes (multiples of the update group's 65,536-id walk chunk) and never got
 * End-of-RIB. A trace of UpdateGroup.pump showed the last call came from `onDrain`, returned
 * true ("work remains that is not waiting on 'drain'") with the socket still writable, and
 * nothing ever pumped that member again: no write had returned false, so no 'drain' was due.
 * Corking the socket per pump (5630923) made that rarer with real sockets, not impossible.
 *
 * Here the Reflector runs without sockets (as in test/reflect/): a client's 200,000 prefixes,
 * one attribute set per 10 of them, are in the RIB (and reached a member present from the
 * start); then another client joins through a port
 * that behaves like a Node socket whose buffer fills once: its first write returns false,
 * 'drain' follows 20 ms after the writer next finds it full, and every later write is
 * accepted. The joining member
 * must get every prefix and then End-of-RIB (RFC 4724 §2).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Reflector } from '../../src/reflect/reflector.js';
import type { ReflectorPeer } from '../../src/reflect/reflector.js';
import type { PathAttribute } from '../../src/wire/attribute-types.js';
import { AS4_CTX } from '../../src/wire/context.js';
import { parseIpv4 } from '../../src/wire/nlri.js';
import { decodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { PollAbort, pollUntil } from '../helpers/poll.js';
import { ipv4Prefixes } from './helpers-replay.js';
import { ACCEPT_ALL } from '../../src/reflect/export-entries.js';

const N = 200_000;
const PER_SET = 10;
const CLUSTER = parseIpv4('10.255.0.1');

function peer(index: number, port: ReflectorPeer['port']): ReflectorPeer {
  const address = Buffer.alloc(4);
  address.writeUInt32BE((0xc6120000 + index) >>> 0);
  return {
    index,
    role: 'client',
    clusterId: CLUSTER,
    clientToClient: true,
    routeServer: false,
    bgpId: (0xc6120000 + index) >>> 0,
    address,
    as4: true,
    extendedMessage: false,
    families: [{ afi: 1, safi: 1 }],
    encodeCtx: AS4_CTX,
    port,
    group: 'test',
    peerAs: 65000,
    localAddress: null,
    exportRule: ACCEPT_ALL,
    importRule: ACCEPT_ALL,
    addPathSend: 0,
    addPathFamilies: [],
  };
}

/** UPDATEs announcing prefix i as 10.x.y.0/24 (i = x * 256 + y ...), MED i / PER_SET. */
function* updates(): Generator<ReturnType<typeof makeUpdate>> {
  for (let i = 0; i < N; i += PER_SET) {
    const nlri: Buffer[] = [];
    for (let j = i; j < Math.min(N, i + PER_SET); j++) nlri.push(Buffer.from([24, 10 + (j >> 16), (j >> 8) & 255, j & 255]));
    const attributes: PathAttribute[] = [
      { kind: 'origin', code: 1, flags: 0x40, value: 0 },
      { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [64511] }] },
      { kind: 'nextHop', code: 3, flags: 0x40, value: parseIpv4('198.18.0.10') },
      { kind: 'med', code: 4, flags: 0x80, value: i / PER_SET },
    ];
    yield makeUpdate({ attributes, nlri: { afi: 1, safi: 1, addPath: false, bytes: Buffer.concat(nlri) } });
  }
}

describe('initial dump to a member whose socket asked for drain once', () => {
  test('the joining member gets every prefix, then End-of-RIB', async () => {
    const r = new Reflector({ routerId: parseIpv4('198.18.0.1'), localAs: 64496, clusterIds: [CLUSTER] });
    r.peerUp(peer(1, { index: 1, writable: true, write: () => true }));
    // A member from the start, which sees the table through the shared log: once it has
    // every prefix, the decision process is done and the Adj-RIB-Out complete.
    const early = new Set<string>();
    r.peerUp(
      peer(3, {
        index: 3,
        writable: true,
        write(msg: Buffer): boolean {
          const d = decodeUpdate(msg.subarray(19), AS4_CTX);
          if (d.ok) for (const p of ipv4Prefixes(d.update.nlri.bytes)) early.add(p);
          return true;
        },
      }),
    );
    for (const u of updates()) r.onUpdate(1, u, false);
    await pollUntil(() => early.size === N, { what: `member 3 has the ${N} prefixes`, timeoutMs: 60_000, intervalMs: 20 });

    const got = new Set<string>();
    let writes = 0;
    let eor = false;
    let writable = true;
    let drainedAt = -1;
    let drainDue = false;
    r.peerUp(
      peer(2, {
        index: 2,
        get writable() {
          // 'drain' comes a little after the writer found the buffer full (the kernel is
          // still taking the bytes when the next pump looks).
          if (!writable && !drainDue) {
            drainDue = true;
            setTimeout(() => {
              writable = true;
              drainedAt = writes;
              r.onDrain(2);
            }, 20);
          }
          return writable;
        },
        write(msg: Buffer): boolean {
          writes++;
          const d = decodeUpdate(msg.subarray(19), AS4_CTX);
          assert.ok(d.ok);
          for (const p of ipv4Prefixes(d.update.nlri.bytes)) got.add(p);
          if (d.update.attributes.length === 0 && d.update.nlri.bytes.length === 0 && d.update.withdrawn.bytes.length === 0) eor = true;
          if (writes > 1) return true;
          // The first write fills the buffer.
          writable = false;
          return false;
        },
      }),
    );
    let last = -1;
    let movedAt = Date.now();
    await pollUntil(
      () => {
        if (got.size !== last) movedAt = Date.now();
        last = got.size;
        if (Date.now() - movedAt > 3_000) throw new PollAbort(`stalled: ${got.size} of ${N} prefixes, ${writes} writes (drain after write ${drainedAt}), End-of-RIB ${eor}`);
        return eor && got.size === N;
      },
      { what: `member 2 gets ${N} prefixes and End-of-RIB`, timeoutMs: 30_000, intervalMs: 20 },
    ).catch((e: unknown) => assert.fail(String(e instanceof Error ? e.message : e)));
    assert.equal(got.size, N, 'every prefix of the table in the initial dump');
  });
});
