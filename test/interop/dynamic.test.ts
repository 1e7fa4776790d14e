/**
 * Dynamic peers from listen ranges: the five daemons sit inside 198.51.100.96/27 and
 * 2001:db8::18:0/109 (links 24-28) and establish over IPv4 and IPv6 although meshrr has no
 * neighbour configured for them; each becomes a peer of the range's group. A BIRD outside
 * both ranges (link 32) is refused, again and again: meshrr's `refused` counter grows and a
 * `connectionRefused` log line names its address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { Lab, PeerHandle, PeerKind } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { KINDS, startOnLink } from './helpers-daemons.js';
import { allChains, Matrix, teardown } from './helpers-matrix.js';
import { interopConfig, logEvents, startMeshrr, type Meshrr } from './helpers-meshrr.js';
import { createLink, randomPort, type Link } from './helpers-net.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites();
const INSIDE_BASE = 24;
const OUTSIDE = 32;
const RANGE4 = '198.51.100.96/27';
const RANGE6 = '2001:db8::18:0/109';

describe('interop: dynamic peers from listen ranges', { concurrency: true }, () => {
  const matrix = new Matrix('dynamic');
  const links = new Map<PeerKind | 'outside', Link>();
  let lab: Lab | undefined;
  let meshrr: Meshrr | undefined;
  let failed = false;

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('interop-dynamic');
    await Promise.all([
      ...KINDS.map(async (k, i) => links.set(k, await createLink(INSIDE_BASE + i, `dyn${k.slice(0, 4)}`))),
      createLink(OUTSIDE, 'dynout').then((l) => links.set('outside', l)),
    ]);
    meshrr = await startMeshrr({ listen: [...links.values()].flatMap((l) => [l.root4, l.root6]), port: randomPort(), maxDynamicPeers: 12 });
    const config = interopConfig({ passive: true, holdTime: 30 });
    meshrr.speaker.setListenRanges([
      { prefix: RANGE4, group: 'clients4', config, maxPeers: 8 },
      { prefix: RANGE6, group: 'clients6', config, maxPeers: 8 },
    ]);
  });

  after(() =>
    teardown([
      () => matrix.print(),
      () => meshrr?.shutdown(),
      () => (failed && lab !== undefined ? meshrr?.saveLog(`${lab.dir}/meshrr.log`) : undefined),
      () => lab?.close({ failed }),
      ...[...links.values()].map((l) => () => l.destroy()),
    ]),
  );

  async function guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      failed = true;
      throw err;
    }
  }

  for (const kind of KINDS) {
    it(`${kind} inside the listen ranges establishes unconfigured`, () =>
      guard(async () => {
        const m = meshrr;
        const link = links.get(kind);
        if (m === undefined || link === undefined || lab === undefined) throw new Error('setup failed');
        const d: PeerHandle = await startOnLink(lab, kind, link, `${kind}-dyn`, m.port, { holdTime: 30 });
        const one = (family: 'v4' | 'v6', address: string, meshrrAddress: string, group: string): Promise<void> =>
          matrix.check(kind, `dynamic-${family}`, async () => {
            await pollUntil(() => m.speaker.getPeer(address)?.state === 'Established', { what: `dynamic ${kind} ${address} Established`, timeoutMs: 30_000 });
            await d.waitEstablished(meshrrAddress, 30_000);
            const p = m.peer(address);
            assert.deepEqual([p.origin, p.group], ['listenRange', group]);
            assert.equal(p.status().negotiated?.peerAs, 65000);
            assert.ok(logEvents(m.logs, 'dynamicPeerAccepted', (l) => l['remote'] === address).length >= 1);
          });
        await allChains([one('v4', link.peer4, link.root4, 'clients4'), one('v6', link.peer6, link.root6, 'clients6')]);
      }));
  }

  it('a daemon outside every range is refused and logged', () =>
    guard(async () => {
      const m = meshrr;
      const link = links.get('outside');
      const l = lab;
      if (m === undefined || link === undefined || l === undefined) throw new Error('setup failed');
      await matrix.check('bird', 'outside-refused', async () => {
        const before = m.speaker.refused;
        const d = await startOnLink(l, 'bird', link, 'bird-outside', m.port, { holdTime: 30 });
        const refusedLines = (): number =>
          logEvents(m.logs, 'connectionRefused', (l) => (l['remote'] === link.peer4 || l['remote'] === link.peer6) && l.level === 40).length;
        // Refused on both transports, and again on BIRD's retries.
        await pollUntil(() => refusedLines() >= 4, { what: 'outside daemon refused repeatedly', timeoutMs: 30_000 });
        assert.ok(m.speaker.refused - before >= 4, `refused counter grew by ${m.speaker.refused - before}`);
        const line = logEvents(m.logs, 'connectionRefused', (l) => l['remote'] === link.peer4)[0];
        assert.match(JSON.stringify(line), new RegExp(link.peer4.replace(/\./g, '\\.')));
        assert.match(String(line?.['reason']), /outside every listen range/);
        assert.equal(m.speaker.getPeer(link.peer4), undefined);
        assert.equal(m.speaker.getPeer(link.peer6), undefined);
        assert.notEqual(await d.neighborState(link.root4), 'Established');
      });
    }));
});
