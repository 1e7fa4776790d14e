/**
 * Two meshrr speakers on loopback addresses: active/passive establishment, connection
 * collision ending with one session, administrative shutdown text reaching the peer, and
 * dynamic peers from listen ranges (accepted inside, refused and logged outside).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Speaker, type NeighborSpec } from '../../src/session/speaker.js';
import { defaultPeerConfig, DEFAULT_TIMERS, type PeerSessionConfig } from '../../src/session/peer-config.js';
import type { Peer, PeerHooks } from '../../src/session/peer.js';
import { pollUntil } from '../helpers/poll.js';

const log = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
const hooks = (events: string[]): PeerHooks => ({
  onEstablished: (p) => events.push(`up ${p.name}`),
  onDown: (p, d) => events.push(`down ${p.name} ${d.reason}`),
  onUpdate: () => undefined,
  onRouteRefresh: () => undefined,
  onDrain: () => undefined,
  onIdle: () => undefined,
});
const fast: PeerSessionConfig = {
  ...defaultPeerConfig({ kind: 'internal' }),
  timers: { ...DEFAULT_TIMERS, connectRetryTime: 1, idleHoldTime: 0, holdTime: 9 },
};
let basePort = 20000 + Math.floor(Math.random() * 20000);
const speakers: Speaker[] = [];
function speaker(address: string, bgpId: number, events: string[], extra: Partial<{ maxDynamicPeers: number }> = {}): { s: Speaker; port: number } {
  const port = basePort++;
  const s = new Speaker({
    local: { localAs: 65000, bgpId, hostname: 'test', domain: '' },
    listen: [{ address, port }],
    maxDynamicPeers: extra.maxDynamicPeers ?? 10,
    log,
    hooks: hooks(events),
  });
  speakers.push(s);
  return { s, port };
}
const neighbor = (address: string, port: number, cfg: PeerSessionConfig = fast, localAddress?: string): NeighborSpec => ({
  address,
  port,
  group: 'mesh',
  origin: 'static',
  config: cfg,
  ...(localAddress !== undefined ? { localAddress } : {}),
});

after(async () => {
  await Promise.all(speakers.map((s) => s.shutdown('test over')));
});

describe('Speaker sessions between two meshrr processes', () => {
  it('establishes active → passive and reports the negotiated capabilities', async () => {
    const ea: string[] = [];
    const eb: string[] = [];
    const a = speaker('127.0.0.11', 0x0a000001, ea);
    const b = speaker('127.0.0.12', 0x0a000002, eb);
    await a.s.listen();
    await b.s.listen();
    b.s.addNeighbor(neighbor('127.0.0.11', a.port, { ...fast, passive: true }));
    const pa = a.s.addNeighbor(neighbor('127.0.0.12', b.port, fast, '127.0.0.11'));
    await pollUntil(() => pa.state === 'Established' && b.s.getPeer('127.0.0.11')?.state === 'Established', { timeoutMs: 10000, what: 'Established both ways' });
    const st = pa.status();
    assert.equal(st.negotiated?.holdTime, 9);
    assert.equal(st.negotiated?.fourOctetAs, true);
    assert.deepEqual(st.negotiated?.families, ['ipv4-unicast', 'ipv6-unicast']);
    assert.equal(st.negotiated?.routeRefresh, true);
    assert.equal(st.negotiated?.peerBgpId, '10.0.0.2');
    assert.ok(st.messagesReceived.open === 1 && st.messagesReceived.keepalive >= 1);
  });

  it('resolves a collision (both sides active) to exactly one session', async () => {
    const ea: string[] = [];
    const eb: string[] = [];
    const a = speaker('127.0.0.13', 0x0a000003, ea);
    const b = speaker('127.0.0.14', 0x0a000004, eb);
    await a.s.listen();
    await b.s.listen();
    const pa = a.s.addNeighbor(neighbor('127.0.0.14', b.port, fast, '127.0.0.13'));
    const pb = b.s.addNeighbor(neighbor('127.0.0.13', a.port, fast, '127.0.0.14'));
    await pollUntil(() => pa.state === 'Established' && pb.state === 'Established', { timeoutMs: 15000, what: 'Established after collision' });
    await pollUntil(() => pa.connectionStates().length === 1 && pb.connectionStates().length === 1, { timeoutMs: 10000, what: 'one connection each' });
    // The survivor is the connection opened by the higher BGP identifier (b, 10.0.0.4): outbound at b.
    assert.deepEqual(pb.connectionStates(), [{ direction: 'outbound', state: 'Established' }]);
    assert.deepEqual(pa.connectionStates(), [{ direction: 'inbound', state: 'Established' }]);
  });

  it('sends Cease / Administrative Shutdown with the operator text on shutdown (RFC 9003)', async () => {
    const ea: string[] = [];
    const eb: string[] = [];
    const a = speaker('127.0.0.15', 0x0a000005, ea);
    const b = speaker('127.0.0.16', 0x0a000006, eb);
    await a.s.listen();
    await b.s.listen();
    const pb = b.s.addNeighbor(neighbor('127.0.0.15', a.port, { ...fast, passive: true }));
    const pa = a.s.addNeighbor(neighbor('127.0.0.16', b.port, fast, '127.0.0.15'));
    await pollUntil(() => pa.state === 'Established' && pb.state === 'Established', { timeoutMs: 10000, what: 'Established' });
    await a.s.shutdown('rolling upgrade');
    await pollUntil(() => pb.stats.lastNotificationReceived, { timeoutMs: 5000, what: 'NOTIFICATION at b' });
    const n = pb.stats.lastNotificationReceived;
    assert.equal(n?.code, 6);
    assert.equal(n?.subcode, 2);
    assert.match(n?.text ?? '', /Administrative Shutdown.*rolling upgrade/);
    assert.ok(eb.some((e) => e.startsWith('down 127.0.0.15 notificationReceived')));
  });

  it('accepts dynamic peers inside a listen range and refuses the rest', async () => {
    const e: string[] = [];
    const rr = speaker('127.0.0.17', 0x0a000007, e);
    await rr.s.listen();
    rr.s.setListenRanges([{ prefix: '127.0.1.0/24', group: 'clients', config: { ...fast, passive: true } }]);
    const clients = [speaker('127.0.1.5', 0x0a000105, []), speaker('127.0.1.6', 0x0a000106, []), speaker('127.0.2.5', 0x0a000205, [])];
    const ps = clients.map((c, i) => c.s.addNeighbor(neighbor('127.0.0.17', rr.port, fast, ['127.0.1.5', '127.0.1.6', '127.0.2.5'][i])));
    await pollUntil(() => ps[0]?.state === 'Established' && ps[1]?.state === 'Established', { timeoutMs: 10000, what: 'two dynamic peers Established' });
    await pollUntil(() => rr.s.refused >= 1, { timeoutMs: 10000, what: 'outsider refused' });
    assert.equal(rr.s.dynamicPeerCount(), 2);
    assert.deepEqual(rr.s.allPeers().map((p: Peer) => [p.name, p.origin, p.group]).sort(), [
      ['127.0.1.5', 'listenRange', 'clients'],
      ['127.0.1.6', 'listenRange', 'clients'],
    ]);
    assert.notEqual(ps[2]?.state, 'Established');
  });
});
