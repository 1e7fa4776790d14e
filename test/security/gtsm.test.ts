/**
 * GTSM (RFC 5082) against FRR's `ttl-security hops N`, FRR in namespaces made here:
 *
 * 1. FRR one hop away connects to meshrr (passive, ttl-security hops 1): Established over
 *    IPv4 and IPv6, so meshrr's listener answers with TTL 255 and accepts TTL 255;
 * 2. the other way round: meshrr connects (its SYN leaves with TTL 255, IP_MINTTL 255 set
 *    before it) to a passive FRR with ttl-security hops 1: Established;
 * 3. FRR two hops away (root — router namespace with ip_forward — far namespace), sending
 *    TTL 255 (its ttl-security hops 2): with hops 1 on meshrr's side the session never comes
 *    up; meshrr refuses FRR's connections naming the TTL the SYN arrived with (254 < 255),
 *    and its own attempts time out with GTSM as the likely cause (IP_MINTTL drops FRR's
 *    SYN-ACK). With hops 2 on meshrr's side it comes up: the refusal was GTSM, not routing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addVeth, run, sweepStaleNetns, type Netns } from '../helpers/netns.js';
import type { Lab } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { teardown } from '../interop/helpers-matrix.js';
import { interopConfig, logEvents, startMeshrr, type Meshrr } from '../interop/helpers-meshrr.js';
import { createLink, linkAddress4, randomPort, type Link } from '../interop/helpers-net.js';
import type { PeerSessionConfig } from '../../src/session/peer-config.js';
import { startSecure } from './helpers-secure-daemons.js';

await missingPrerequisites(['frr']);

const LINK_BASE = 48;
/** Link 51's block carries the router—far segment; nothing in the root namespace uses it. */
const FAR_LINK = 51;

describe('GTSM with FRR ttl-security', { concurrency: true }, () => {
  const links: Link[] = [];
  let far: Netns | undefined;
  let lab: Lab | undefined;
  let meshrr: Meshrr | undefined;
  let failed = false;
  const gtsm = (hops: number, passive: boolean): PeerSessionConfig => ({ ...interopConfig({ passive, holdTime: 30, gracefulRestart: false }), ttlSecurityHops: hops });
  const routerSide = linkAddress4(FAR_LINK, 1);
  const farAddress = linkAddress4(FAR_LINK, 2);

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('security-gtsm');
    for (let i = 0; i < 3; i++) links.push(await createLink(LINK_BASE + i, `gtsm${i}`));
    const router = links[2] ?? assert.fail();
    far = await lab.netns('gtsmfar');
    await addVeth({ ns: router.ns, ifname: 'far0', addresses: [`${routerSide}/30`] }, { ns: far, ifname: 'up0', addresses: [`${farAddress}/30`] });
    await router.ns.sysctl('net.ipv4.ip_forward', '1');
    await far.addRoute('default', { via: routerSide });
    await far.sysctl('net.ipv4.ip_unprivileged_port_start', '0');
    await run('ip', ['route', 'add', `${linkAddress4(FAR_LINK, 0)}/30`, 'via', router.peer4, 'dev', router.rootIf]);
    meshrr = await startMeshrr({ listen: links.flatMap((l) => [l.root4, l.root6]), port: randomPort() });
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

  it('frr one hop away with ttl-security hops 1 connects to meshrr: Established (IPv4, IPv6)', () =>
    guard(async (m, l) => {
      const link = links[0] ?? assert.fail();
      m.neighbor(link.peer4, gtsm(1, true), { port: m.port, localAddress: link.root4 });
      m.neighbor(link.peer6, gtsm(1, true), { port: m.port, localAddress: link.root6 });
      const d = await startSecure(l, 'frr', {
        name: 'frr-gtsm-active',
        netns: link.ns,
        routerId: link.peer4,
        meshrrPort: m.port,
        ttlHops: 1,
        targets: [
          { meshrr: link.root4, local: link.peer4 },
          { meshrr: link.root6, local: link.peer6 },
        ],
      });
      for (const a of [link.peer4, link.peer6]) await pollUntil(() => m.speaker.getPeer(a)?.state === 'Established', { what: `${a} Established with GTSM`, timeoutMs: 60_000 });
      await d.waitEstablished(link.root4, 30_000);
      await d.waitEstablished(link.root6, 30_000);
    }));

  it('meshrr with ttl-security hops 1 connects to a passive frr with hops 1: Established (IPv4, IPv6)', () =>
    guard(async (m, l) => {
      const link = links[1] ?? assert.fail();
      const d = await startSecure(l, 'frr', {
        name: 'frr-gtsm-passive',
        netns: link.ns,
        routerId: link.peer4,
        meshrrPort: 179,
        passive: true,
        ttlHops: 1,
        targets: [
          { meshrr: link.root4, local: link.peer4 },
          { meshrr: link.root6, local: link.peer6 },
        ],
      });
      m.neighbor(link.peer4, gtsm(1, false), { port: 179, localAddress: link.root4 });
      m.neighbor(link.peer6, gtsm(1, false), { port: 179, localAddress: link.root6 });
      for (const a of [link.peer4, link.peer6]) await pollUntil(() => m.speaker.getPeer(a)?.state === 'Established', { what: `${a} Established (we connected)`, timeoutMs: 60_000 });
      await d.waitEstablished(link.root4, 30_000);
      // FRR is passive: the session is the one meshrr opened.
      assert.equal(m.peer(link.peer4).session?.direction, 'outbound');
      assert.equal(m.peer(link.peer6).session?.direction, 'outbound');
    }));

  it('frr two hops away is refused by meshrr with hops 1, and comes up with hops 2', () =>
    guard(async (m, l) => {
      const router = links[2] ?? assert.fail();
      const d = await startSecure(l, 'frr', {
        name: 'frr-gtsm-far',
        netns: far,
        routerId: farAddress,
        meshrrPort: m.port,
        ttlHops: 2,
        targets: [{ meshrr: router.root4, local: farAddress }],
      });
      m.neighbor(farAddress, gtsm(1, false), { port: 179, localAddress: router.root4 });
      const refused = await pollUntil(() => logEvents(m.logs, 'connectionRefused', (x) => x['remote'] === farAddress && /GTSM/.test(String(x['reason'])))[0], {
        what: 'the far peer refused by GTSM',
        timeoutMs: 60_000,
      });
      assert.match(String(refused['reason']), /SYN arrived with TTL 254, below 255: the peer is more than 1 hop\(s\) away/);
      const timeout = await pollUntil(() => logEvents(m.logs, 'connectTimeout', (x) => x['remote'] === farAddress)[0], { what: 'our connect to the far peer timed out', timeoutMs: 60_000 });
      assert.match(String(timeout['likelyCause']), /GTSM \(RFC 5082\) is configured/);
      assert.notEqual(m.peer(farAddress).state, 'Established');
      assert.equal(m.peer(farAddress).stats.received.open, 0);
      assert.notEqual(await d.neighborState(router.root4), 'Established');

      // Control: the same path with hops 2 on our side establishes.
      await m.speaker.removeNeighbor(farAddress);
      m.neighbor(farAddress, gtsm(2, false), { port: 179, localAddress: router.root4 });
      await pollUntil(() => m.speaker.getPeer(farAddress)?.state === 'Established', { what: 'far peer Established with hops 2', timeoutMs: 90_000 });
      await d.waitEstablished(router.root4, 30_000);
    }));
});
