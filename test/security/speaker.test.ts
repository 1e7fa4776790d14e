/**
 * The speaker's own protections on loopback addresses (127.78.x.y, no interface touched):
 *
 * 1. without the socket-options addon, a neighbour with TCP-MD5 refuses to start and says
 *    why (and its inbound connections are refused), while a neighbour without MD5 runs;
 * 2. the per-source connection rate: past `max` connections in a window, a source inside a
 *    listen range is refused with the reason, and the refusal is logged once per window;
 * 3. a connection that sends no OPEN is closed after the open timeout (RFC 4271 §8 large
 *    hold time, `limits.openTimeout`);
 * 4. the MD5 counter watch: when the kernel's TCPMD5 counters move, the log names the likely
 *    cause and the MD5 peers that are not Established.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Speaker } from '../../src/session/speaker.js';
import { Md5Key, type Md5Counters } from '../../src/session/socket-options.js';
import { interopConfig, type LogLine } from '../interop/helpers-meshrr.js';
import { randomPort } from '../interop/helpers-net.js';
import { pollUntil } from '../helpers/poll.js';

const noHooks = { onEstablished: () => undefined, onDown: () => undefined, onUpdate: () => undefined, onRouteRefresh: () => undefined, onDrain: () => undefined, onIdle: () => undefined };

function capture(): { logs: LogLine[]; log: pino.Logger } {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logs, log: pino({ level: 'info' }, sink) };
}

const LOCAL = { localAs: 65000, bgpId: 0x0aff0001, hostname: 't', domain: '' };

/** Opens a connection from `local` and resolves once the speaker closed it (or it got a byte). */
function knock(port: number, local: string): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.78.0.1', port, localAddress: local });
    s.on('error', () => undefined);
    s.once('data', () => {
      s.destroy();
      resolve('open');
    });
    s.once('close', () => resolve('closed'));
  });
}

describe('speaker protections', () => {
  it('without the addon, an MD5 neighbour refuses to start with the reason; the others run', async () => {
    const { logs, log } = capture();
    const port = randomPort();
    const sp = new Speaker({ local: LOCAL, listen: [{ address: '127.78.0.1', port }], maxDynamicPeers: 4, log, hooks: noHooks, sockopt: { ok: false, reason: 'the socket-options addon (TCP-MD5, GTSM) did not load: test' } });
    await sp.listen();
    try {
      const cfg = interopConfig({ passive: true, holdTime: 30 });
      const md5 = sp.addNeighbor({ address: '127.78.1.1', port: 179, group: 'g', origin: 'static', config: { ...cfg, md5Key: new Md5Key(Buffer.from('k'), 'test') } });
      const plain = sp.addNeighbor({ address: '127.78.1.2', port: 179, group: 'g', origin: 'static', config: cfg });
      assert.equal(md5.state, 'Idle');
      assert.equal(md5.stats.lastDownReason, 'securityUnavailable');
      assert.equal(plain.state, 'Active');
      const line = logs.find((l) => l.msg === 'peerNotStarted');
      assert.match(String(line?.['reason']), /TCP-MD5 configured but the socket-options addon \(TCP-MD5, GTSM\) did not load/);
      assert.ok(logs.some((l) => l.msg === 'md5Unavailable'));
      assert.equal(await knock(port, '127.78.1.1'), 'closed');
      assert.match(String(logs.find((l) => l.msg === 'connectionRefused' && l['remote'] === '127.78.1.1')?.['reason']), /needs TCP-MD5\/GTSM and the addon is not loaded/);
      // The plain neighbour's connection is taken: meshrr sends its OPEN.
      assert.equal(await knock(port, '127.78.1.2'), 'open');
      // A listen range with a key: no dynamic peer is made at all.
      sp.setListenRanges([{ prefix: '127.78.5.0/24', group: 'r', config: { ...cfg, md5Key: new Md5Key(Buffer.from('k'), 'test') } }]);
      assert.equal(await knock(port, '127.78.5.1'), 'closed');
      assert.equal(sp.getPeer('127.78.5.1'), undefined);
      assert.match(String(logs.find((l) => l.msg === 'connectionRefused' && l['remote'] === '127.78.5.1')?.['reason']), /TCP-MD5 configured but the socket-options addon/);
    } finally {
      await sp.shutdown('test over');
    }
  });

  it('a source over the connection rate is refused until its window ends, logged once', async () => {
    const { logs, log } = capture();
    const port = randomPort();
    const sp = new Speaker({ local: LOCAL, listen: [{ address: '127.78.0.1', port }], maxDynamicPeers: 4, log, hooks: noHooks, connectionRate: { max: 5, windowSeconds: 60 } });
    await sp.listen();
    try {
      // Each knock is taken (meshrr sends its OPEN) until the source is over the rate.
      sp.setListenRanges([{ prefix: '127.78.2.0/24', group: 'r', config: interopConfig({ passive: true, holdTime: 30 }) }]);
      const results: string[] = [];
      for (let i = 0; i < 8; i++) {
        results.push(await knock(port, '127.78.2.1'));
      }
      assert.deepEqual(results, ['open', 'open', 'open', 'open', 'open', 'closed', 'closed', 'closed']);
      const refused = logs.filter((l) => l.msg === 'connectionRefused' && l['remote'] === '127.78.2.1');
      assert.equal(refused.length, 1, 'one log line per source and window');
      assert.match(String(refused[0]?.['reason']), /more than 5 connections in 60 s from this address/);
      assert.equal(sp.refused, 3);
      // Another source is not affected.
      assert.equal(await knock(port, '127.78.2.2'), 'open');
    } finally {
      await sp.shutdown('test over');
    }
  });

  it('a connection that never sends OPEN is closed after the open timeout (Hold Timer Expired)', async () => {
    const { logs, log } = capture();
    const port = randomPort();
    const sp = new Speaker({ local: LOCAL, listen: [{ address: '127.78.0.1', port }], maxDynamicPeers: 4, log, hooks: noHooks });
    await sp.listen();
    try {
      const base = interopConfig({ passive: true, holdTime: 30 });
      sp.setListenRanges([{ prefix: '127.78.4.0/24', group: 'r', config: { ...base, timers: { ...base.timers, largeHoldTime: 2 } } }]);
      const got: Buffer[] = [];
      const t0 = Date.now();
      const s = connect({ host: '127.78.0.1', port, localAddress: '127.78.4.1' });
      s.on('data', (d: Buffer) => got.push(d));
      s.on('error', () => undefined);
      let closed = false;
      s.on('close', () => (closed = true));
      await pollUntil(() => closed, { what: 'meshrr closing the silent connection', timeoutMs: 15_000 });
      const all = Buffer.concat(got);
      // Our OPEN (type 1), then NOTIFICATION (type 3) Hold Timer Expired (code 4).
      assert.equal(all[18], 1);
      const n = all.subarray(all.readUInt16BE(16));
      assert.deepEqual([n[18], n[19]], [3, 4]);
      assert.ok(Date.now() - t0 >= 1900, `closed after ${Date.now() - t0} ms`);
      assert.ok(logs.some((l) => l.msg === 'notificationSent' && l['code'] === 4));
    } finally {
      await sp.shutdown('test over');
    }
  });

  it('moving TCPMD5 counters are logged with the likely cause and the MD5 peers not up', async () => {
    const { logs, log } = capture();
    let counters: Md5Counters = { failure: 10, notFound: 0, unexpected: 0 };
    const sp = new Speaker({ local: LOCAL, listen: [{ address: '127.78.0.1', port: randomPort() }], maxDynamicPeers: 4, log, hooks: noHooks, md5Counters: () => counters, md5CheckMs: 20 });
    await sp.listen();
    try {
      sp.addNeighbor({ address: '127.78.3.1', port: 179, group: 'g', origin: 'static', config: { ...interopConfig({ passive: true, holdTime: 30 }), md5Key: new Md5Key(Buffer.from('secret-k'), 'test') } });
      counters = { failure: 12, notFound: 1, unexpected: 0 };
      const line = await pollUntil(() => logs.find((l) => l.msg === 'md5SignatureDrops'), { what: 'md5SignatureDrops' });
      assert.equal(line['failure'], 2);
      assert.equal(line['notFound'], 1);
      assert.deepEqual(line['md5PeersNotEstablished'], ['127.78.3.1']);
      assert.match(String(line['likelyCause']), /a peer has a different key.*a peer has no key configured/);
      assert.ok(!logs.some((l) => JSON.stringify(l).includes('secret-k')));
    } finally {
      await sp.shutdown('test over');
    }
  });
});
