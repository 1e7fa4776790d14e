/**
 * The global route cap (`maxRoutes`, issue 10) on a whole RouteReflector with raw peers on
 * loopback addresses (127.79.x.y): the peer whose UPDATE takes the RIB over the cap is reset
 * with Cease / Out of Resources (RFC 4486 subcode 8), its routes leave the RIB, the peer that
 * stayed within it keeps its routes and its session.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { RouteReflector } from '../../src/rr/route-reflector.js';
import { makeCtx } from '../../src/wire/context.js';
import { MSG } from '../../src/wire/iana.js';
import { encodeKeepalive } from '../../src/wire/keepalive.js';
import { encodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { pollUntil } from '../helpers/poll.js';
import { notificationOf, RawPeer } from '../interop/helpers-raw.js';
import { randomPort } from '../interop/helpers-net.js';
import type { LogLine } from '../interop/helpers-meshrr.js';

const LISTEN = '127.79.0.1';
const CTX = makeCtx({ as4: true });

function announce(second: number, count: number): Buffer {
  const nlri: number[] = [];
  for (let i = 0; i < count; i++) nlri.push(24, 10, second, i);
  return encodeUpdate(
    makeUpdate({
      attributes: [
        { kind: 'origin', code: 1, flags: 0x40, value: 0 },
        { kind: 'asPath', code: 2, flags: 0x40, value: [] },
        { kind: 'nextHop', code: 3, flags: 0x40, value: 0x0a000001 },
        { kind: 'localPref', code: 5, flags: 0x40, value: 100 },
      ],
      nlri: { afi: 1, safi: 1, addPath: false, bytes: Buffer.from(nlri) },
    }),
    CTX,
  );
}

describe('global route cap (maxRoutes)', () => {
  const logs: LogLine[] = [];
  const port = randomPort();
  let rr: RouteReflector | undefined;
  const peers: RawPeer[] = [];
  const timers: NodeJS.Timeout[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    const config = parseRouterConfig(
      ['routerId: 10.255.0.1', 'asn: 65000', `listen: [{address: ${LISTEN}, port: ${port}}]`, 'maxRoutes: 60', 'gracefulRestart: {enabled: false}', 'groups:', '  - name: clients', '    role: client', '    listenRanges: [127.79.1.0/24]'].join('\n'),
      'cap.yml',
    );
    rr = new RouteReflector({ config, log: pino({ level: 'info' }, sink) });
    await rr.start();
  });

  after(async () => {
    for (const t of timers) clearInterval(t);
    for (const p of peers) p.destroy();
    await rr?.stop('test over');
  });

  it('the peer that crosses the cap gets Cease 8; the other keeps its routes', async () => {
    const r = rr ?? assert.fail();
    const open = async (local: string, id: number): Promise<RawPeer> => {
      const p = await RawPeer.connect({ host: LISTEN, port, localAddress: local });
      await p.establish(id);
      timers.push(setInterval(() => p.send(encodeKeepalive()), 1000));
      peers.push(p);
      await pollUntil(() => r.isEstablished(local), { what: `${local} Established` });
      return p;
    };
    const g = await open('127.79.1.1', 0x0a000201);
    const h = await open('127.79.1.2', 0x0a000202);
    g.send(announce(1, 40));
    await pollUntil(() => r.peerPathCount('127.79.1.1') === 40, { what: "G's 40 routes" });
    h.send(announce(2, 30));
    let m = await h.next('message from meshrr');
    while (m.type !== MSG.NOTIFICATION) m = await h.next('NOTIFICATION to H');
    assert.deepEqual(notificationOf(m), { code: 6, subcode: 8, data: '' });
    await pollUntil(() => r.peerPathCount('127.79.1.2') === 0, { what: "H's routes gone" });
    assert.equal(r.peerPathCount('127.79.1.1'), 40);
    assert.ok(r.isEstablished('127.79.1.1'));
    const line = logs.find((l) => l.msg === 'maxRoutesExceeded');
    assert.deepEqual([line?.['peer'], line?.['routes'], line?.['limit']], ['127.79.1.2', 70, 60]);
  });
});
