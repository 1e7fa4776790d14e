/**
 * TCP-MD5 (RFC 2385) against real daemons, each in a namespace of its own joined to the test
 * process (meshrr's Speaker) by a veth pair (test/interop/helpers-net.ts, links 40-43):
 *
 * 1. FRR and BIRD with the same key as meshrr establish over IPv4 and IPv6 (both sides active:
 *    our SYN is signed before it leaves, theirs is checked by our listener's key);
 * 2. FRR with a different key stays down, and meshrr's log says why: the kernel's TCPMD5
 *    counters moved (`md5SignatureDrops`: "a peer has a different key") and our own connect
 *    attempts time out with TCP-MD5 named as the likely cause (`connectTimeout`);
 * 3. FRR inside a listen range whose key is set per prefix (TCP_MD5SIG_EXT) establishes as a
 *    dynamic peer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { Lab } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { teardown } from '../interop/helpers-matrix.js';
import { interopConfig, logEvents, startMeshrr, type Meshrr } from '../interop/helpers-meshrr.js';
import { createLink, randomPort, type Link } from '../interop/helpers-net.js';
import { Md5Key } from '../../src/session/socket-options.js';
import type { PeerSessionConfig } from '../../src/session/peer-config.js';
import { startSecure } from './helpers-secure-daemons.js';

await missingPrerequisites(['frr', 'bird']);

const LINK_BASE = 40;
const KEY = 'meshrr-md5-key';

describe('TCP-MD5 with FRR and BIRD', { concurrency: true }, () => {
  const links: Link[] = [];
  let lab: Lab | undefined;
  let meshrr: Meshrr | undefined;
  let failed = false;
  const withKey = (key: string): PeerSessionConfig => ({ ...interopConfig({ passive: false, holdTime: 30, gracefulRestart: false }), md5Key: new Md5Key(Buffer.from(key), 'test') });

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('security-md5');
    for (let i = 0; i < 4; i++) links.push(await createLink(LINK_BASE + i, `md5l${i}`));
    meshrr = await startMeshrr({ listen: links.flatMap((l) => [l.root4, l.root6]), port: randomPort(), maxDynamicPeers: 4 });
  });

  after(() =>
    teardown([
      () => meshrr?.shutdown(),
      () => (failed && lab !== undefined ? meshrr?.saveLog(`${lab.dir}/meshrr.log`) : undefined),
      () => lab?.close({ failed }),
      ...links.map((l) => () => l.destroy()),
    ]),
  );

  async function guard(fn: (m: Meshrr, l: Lab) => Promise<void>): Promise<void> {
    try {
      if (meshrr === undefined || lab === undefined) throw new Error('setup failed');
      await fn(meshrr, lab);
    } catch (err) {
      failed = true;
      throw err;
    }
  }

  for (const [i, kind] of [[0, 'frr'], [1, 'bird']] as const) {
    it(`${kind} with the same key establishes over IPv4 and IPv6`, () =>
      guard(async (m, l) => {
        const link = links[i] ?? assert.fail();
        m.neighbor(link.peer4, withKey(KEY), { port: m.port, localAddress: link.root4 });
        m.neighbor(link.peer6, withKey(KEY), { port: m.port, localAddress: link.root6 });
        const d = await startSecure(l, kind, {
          name: `${kind}-md5`,
          netns: link.ns,
          routerId: link.peer4,
          meshrrPort: m.port,
          password: KEY,
          targets: [
            { meshrr: link.root4, local: link.peer4 },
            { meshrr: link.root6, local: link.peer6 },
          ],
        });
        for (const a of [link.peer4, link.peer6]) {
          await pollUntil(() => m.speaker.getPeer(a)?.state === 'Established', { what: `${kind} ${a} Established with TCP-MD5`, timeoutMs: 60_000 });
        }
        await d.waitEstablished(link.root4, 30_000);
        await d.waitEstablished(link.root6, 30_000);
      }));
  }

  it('frr with a different key stays down and the log names TCP-MD5 as the cause', () =>
    guard(async (m, l) => {
      const link = links[2] ?? assert.fail();
      m.neighbor(link.peer4, withKey(KEY), { port: m.port, localAddress: link.root4 });
      const d = await startSecure(l, 'frr', {
        name: 'frr-wrongkey',
        netns: link.ns,
        routerId: link.peer4,
        meshrrPort: m.port,
        password: 'not-the-same-key',
        targets: [{ meshrr: link.root4, local: link.peer4 }],
      });
      // FRR's SYNs to us fail our listener's check: the kernel counts them and meshrr reports it.
      const drop = await pollUntil(
        () => logEvents(m.logs, 'md5SignatureDrops', (x) => Number(x['failure']) > 0 && Array.isArray(x['md5PeersNotEstablished']) && x['md5PeersNotEstablished'].includes(link.peer4))[0],
        { what: 'md5SignatureDrops naming the wrong-key peer', timeoutMs: 60_000 },
      );
      assert.match(String(drop['likelyCause']), /does not match our key: a peer has a different key/);
      // Our own SYNs to FRR are dropped by FRR's kernel: the connect attempt times out.
      const timeout = await pollUntil(() => logEvents(m.logs, 'connectTimeout', (x) => x['remote'] === link.peer4)[0], { what: 'connectTimeout for the wrong-key peer', timeoutMs: 60_000 });
      assert.match(String(timeout['likelyCause']), /TCP-MD5 \(RFC 2385\) is configured/);
      assert.notEqual(m.peer(link.peer4).state, 'Established');
      assert.notEqual(await d.neighborState(link.root4), 'Established');
      assert.equal(m.peer(link.peer4).stats.received.open, 0, 'no OPEN ever got through');
      // The key never appears in our log.
      assert.ok(!m.logs.some((x) => JSON.stringify(x).includes(KEY)));
    }));

  it('frr inside a listen range with a per-prefix key establishes as a dynamic peer', () =>
    guard(async (m, l) => {
      const link = links[3] ?? assert.fail();
      const config = { ...withKey('range-key'), passive: true };
      m.speaker.setListenRanges([
        { prefix: `${link.peer4.split('.').slice(0, 3).join('.')}.${(LINK_BASE + 3) * 4}/30`, group: 'md5range4', config },
        { prefix: `${link.peer6.replace(/:2$/, ':0')}/112`, group: 'md5range6', config },
      ]);
      const d = await startSecure(l, 'frr', {
        name: 'frr-range',
        netns: link.ns,
        routerId: link.peer4,
        meshrrPort: m.port,
        password: 'range-key',
        targets: [
          { meshrr: link.root4, local: link.peer4 },
          { meshrr: link.root6, local: link.peer6 },
        ],
      });
      for (const a of [link.peer4, link.peer6]) {
        await pollUntil(() => m.speaker.getPeer(a)?.state === 'Established', { what: `dynamic ${a} Established with the range key`, timeoutMs: 60_000 });
        assert.equal(m.peer(a).origin, 'listenRange');
      }
      await d.waitEstablished(link.root4, 30_000);
    }));
});
