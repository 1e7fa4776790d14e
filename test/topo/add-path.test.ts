/**
 * ADD-PATH send (RFC 7911) with real peers: meshrr's client group has `addPath: {send: all}`;
 * four clients (BIRD, two ExaBGPs, OpenBGPD) announce the same prefix, each with its own next
 * hop; FRR and GoBGP, clients that advertise ADD-PATH receive, must each negotiate it and
 * hold all four paths, each reflected (ORIGINATOR_ID = its sender, CLUSTER_LIST = meshrr's
 * client cluster). One sender withdrawing takes exactly its path away; BIRD, which did not
 * negotiate ADD-PATH, keeps receiving a single path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BgpRoute, PeerHandle } from '../helpers/peers/index.js';
import { bird, exabgp, frr, gobgp, missingPrerequisites, openbgpd } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import type { Topo } from './helpers-topo.js';
import { ASN, CLUSTER_ID, createTopo, guarded, RR_ADDRESS } from './helpers-topo.js';

const skip = (await missingPrerequisites()) ?? false;

const SENDERS = { bird: '198.18.0.10', exa1: '198.18.0.13', exa2: '198.18.0.14', obgpd: '198.18.0.15' } as const;
const FRR = '198.18.0.11';
const GOBGP = '198.18.0.12';
const PREFIX = '100.66.0.0/24';

/** The paths `peer` holds for PREFIX, as (originator, next hop, cluster list) strings, sorted. */
async function pathsAt(peer: PeerHandle): Promise<string[]> {
  const rs: BgpRoute[] = await peer.routes({ prefix: PREFIX });
  return rs.map((r) => `${r.originatorId ?? '-'} via ${r.nextHop} cl ${r.clusterList.join(',')}`).sort();
}

function expected(origins: readonly string[]): string[] {
  return origins.map((a) => `${a} via ${a} cl ${CLUSTER_ID}`).sort();
}

/** Poll until `peer` holds exactly the paths `want` (a timeout shows what it held). */
async function waitPaths(peer: PeerHandle, want: readonly string[]): Promise<void> {
  await pollUntil(
    async () => {
      const got = await pathsAt(peer);
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`paths now: ${JSON.stringify(got)}`);
      return true;
    },
    { what: `${peer.kind} ${peer.name} holds ${JSON.stringify(want)} for ${PREFIX}`, timeoutMs: 30_000, intervalMs: 300 },
  );
}

describe('ADD-PATH: receivers see every path of a prefix', { skip, timeout: 300_000, concurrency: false }, () => {
  let topo: Topo | undefined;
  let receivers: PeerHandle[] = [];
  let senders: Record<keyof typeof SENDERS, PeerHandle>;

  before(async () => {
    topo = await createTopo('addpath', { clientGroup: { addPath: { send: 'all' } } });
    const t = topo;
    await guarded(t, async () => {
      for (const a of [...Object.values(SENDERS), FRR, GOBGP]) await t.address(a);
      const f = await t.lab.start(frr.start, { name: 'frr', netns: t.ns, routerId: FRR, localAs: ASN, neighbors: [t.meshrr(FRR, { addPath: { receive: true } })] });
      const g = await t.lab.start(gobgp.start, { name: 'gobgp', netns: t.ns, routerId: GOBGP, localAs: ASN, neighbors: [t.meshrr(GOBGP, { addPath: { receive: true } })] });
      receivers = [f, g];
      // OpenBGPD advertises a prefix over iBGP only while its own path is its best: its
      // LOCAL_PREF 200 beats the paths meshrr reflects to it (else the lower ORIGINATOR_ID wins).
      const route = (a: string) => [{ prefix: PREFIX, nextHop: a, communities: ['64496:66'], ...(a === SENDERS.obgpd ? { localPref: 200 } : {}) }];
      const opts = (name: string, a: string) => ({ name, netns: t.ns, routerId: a, localAs: ASN, neighbors: [t.meshrr(a)], routes: route(a) });
      senders = {
        bird: await t.lab.start(bird.start, opts('bird', SENDERS.bird)),
        exa1: await t.lab.start(exabgp.start, opts('exa1', SENDERS.exa1)),
        exa2: await t.lab.start(exabgp.start, opts('exa2', SENDERS.exa2)),
        obgpd: await t.lab.start(openbgpd.start, opts('obgpd', SENDERS.obgpd)),
      };
      for (const d of [...receivers, ...Object.values(senders)]) await t.established(d);
    });
  });

  after(async () => {
    await topo?.close();
  });

  test('FRR and GoBGP negotiate ADD-PATH receive with meshrr', async () => {
    await guarded(topo, async () => {
      for (const r of receivers) {
        const caps = await r.negotiatedCapabilities(RR_ADDRESS);
        assert.deepEqual(caps.addPath, [{ family: 'ipv4-unicast', send: false, receive: true }], `${r.kind}: ${caps.raw.join(', ')}`);
      }
    });
  });

  test('each receiver holds the four paths, one per sending client', async () => {
    await guarded(topo, async () => {
      const want = expected(Object.values(SENDERS));
      for (const r of receivers) await waitPaths(r, want);
      // FRR shows the path identifiers: one per path, all different.
      const ids = (await receivers[0]?.routes({ prefix: PREFIX }))?.map((x) => x.pathId) ?? [];
      assert.equal(new Set(ids).size, 4, `FRR path ids ${JSON.stringify(ids)}`);
      // BIRD did not negotiate ADD-PATH: one path (the best of the other three).
      const atBird = await senders.bird.routes({ prefix: PREFIX });
      assert.equal(atBird.filter((x) => x.peer === RR_ADDRESS).length, 1, `BIRD: ${JSON.stringify(atBird)}`);
    });
  });

  test('one sender withdraws: exactly its path goes', async () => {
    await guarded(topo, async () => {
      await senders.exa2.withdraw(PREFIX);
      const want = expected([SENDERS.bird, SENDERS.exa1, SENDERS.obgpd]);
      for (const r of receivers) await waitPaths(r, want);
    });
  });
});
