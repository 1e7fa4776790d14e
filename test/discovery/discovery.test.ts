/**
 * A discovery run (src/discovery/discovery.ts) with a scripted resolver: our own address
 * removed, static neighbours and earlier groups owning addresses, NXDOMAIN keeping a group's
 * peers with one warning per state change, a transient failure changing nothing at all, and
 * every decision logged with the group, the answer and the reason.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { desiredPeers, EMPTY_DESIRED_PEERS } from '../../src/discovery/desired-peers.js';
import { Discovery } from '../../src/discovery/discovery.js';
import { DnsError } from '../../src/discovery/dns-resolver.js';
import type { DnsLookup } from '../../src/discovery/dns-resolver.js';
import { INFO, memoryLogger, WARN } from './helpers-log.js';

const answer = (...addresses: string[]): DnsLookup => ({ kind: 'answer', name: 'x.svc', addresses, tried: ['x.svc'] });
const NX: DnsLookup = { kind: 'nxdomain', tried: ['x.svc'] };
const TIMEOUT: DnsLookup = { kind: 'failed', error: new DnsError('MESHRR_DNS_TIMEOUT', 'x.svc', 'A', null), tried: ['x.svc'] };

function setup(script: Record<string, DnsLookup[]>, opts: { reserved?: string[]; established?: (a: string) => boolean } = {}) {
  const mem = memoryLogger();
  let now = 0;
  const d = new Discovery({
    groups: [
      { name: 'MESH', hostname: 'mesh', maxPeers: null },
      { name: 'UP', hostname: 'up', maxPeers: 2 },
    ],
    podIp: '10.42.0.1',
    reserved: new Set(opts.reserved ?? []),
    resolve: (h) => Promise.resolve(script[h]?.shift() ?? NX),
    isEstablished: opts.established ?? (() => true),
    intervalMs: 60_000,
    now: () => now,
    random: () => 0,
    log: mem.log,
  });
  return { d, mem, tick: (ms = 60_000) => (now += ms) };
}

describe('Discovery.run', () => {
  it('builds DesiredPeers without our own address and logs each decision', async () => {
    const { d, mem } = setup({ mesh: [answer('10.42.0.1', '10.42.0.2', '10.42.0.3')], up: [answer('10.43.0.1', '10.43.0.2', '10.43.0.3')] });
    const r = await d.run(EMPTY_DESIRED_PEERS);
    assert.ok(r.kind === 'updated');
    assert.deepEqual([...r.desired.groups], [['MESH', ['10.42.0.2', '10.42.0.3']], ['UP', ['10.43.0.1', '10.43.0.2']]]);
    assert.equal(r.diff.added.length, 4);
    const adds = mem.named('peerDecision').filter((l) => l.action === 'add');
    assert.equal(adds.length, 4);
    for (const l of adds) {
      assert.equal(l.level, INFO);
      assert.ok(typeof l.group === 'string' && typeof l.reason === 'string' && Array.isArray(l.answer) && typeof l.peer === 'string');
    }
    assert.deepEqual(mem.named('peerDecision').find((l) => l.peer === '10.42.0.2')?.answer, ['10.42.0.1', '10.42.0.2', '10.42.0.3']);
  });

  it('never discovers a static neighbour, and an address goes to the first group that has it', async () => {
    const { d, mem } = setup({ mesh: [answer('10.42.0.2', '10.42.0.9')], up: [answer('10.42.0.2', '10.42.0.8', '10.43.0.1')] }, { reserved: ['10.42.0.9'] });
    const r = await d.run(EMPTY_DESIRED_PEERS);
    assert.ok(r.kind === 'updated');
    assert.deepEqual(r.desired.groups.get('MESH'), ['10.42.0.2']);
    assert.deepEqual(r.desired.groups.get('UP'), ['10.42.0.8', '10.43.0.1']);
    const owned = mem.named('discoveredAddressOwnedElsewhere');
    assert.deepEqual(owned.map((l) => [l.group, l.peer, l.owner]), [['MESH', '10.42.0.9', 'a static neighbour'], ['UP', '10.42.0.2', 'group MESH']]);
    assert.ok(owned.every((l) => l.level === WARN));
  });

  it('keeps a group on NXDOMAIN, warning once per state change, and recovers', async () => {
    const { d, mem } = setup({ mesh: [answer('10.42.0.2'), NX, NX, answer('10.42.0.3')], up: [answer('10.43.0.1'), answer('10.43.0.1'), answer('10.43.0.1'), answer('10.43.0.1')] });
    let cur = EMPTY_DESIRED_PEERS;
    const runs = [];
    for (let i = 0; i < 4; i++) {
      const r = await d.run(cur);
      assert.ok(r.kind === 'updated');
      cur = r.desired;
      runs.push(r);
    }
    assert.deepEqual(runs[1]?.desired.groups.get('MESH'), ['10.42.0.2'], 'kept on NXDOMAIN');
    assert.equal(runs[1]?.diff.added.length, 0);
    assert.equal(runs[1]?.diff.removed.length, 0);
    assert.equal(runs[1]?.groups[0]?.decisions[0]?.reason, 'DNS nxdomain: keeping current peers');
    const warns = mem.named('dnsNoAnswer');
    assert.equal(warns.length, 1, 'one warning for two NXDOMAIN runs');
    assert.deepEqual([warns[0]?.group, warns[0]?.from, warns[0]?.to, warns[0]?.level], ['MESH', 'ok', 'nxdomain', WARN]);
    assert.equal(mem.named('dnsRecovered').length, 1);
    assert.deepEqual(runs[3]?.desired.groups.get('MESH'), ['10.42.0.3']);
  });

  it('changes nothing at all when any group hits a transient failure', async () => {
    const { d, mem } = setup({ mesh: [TIMEOUT, TIMEOUT], up: [answer('10.43.0.9'), answer('10.43.0.9')] });
    const cur = desiredPeers([['MESH', ['10.42.0.2']], ['UP', ['10.43.0.1']]]);
    const r = await d.run(cur);
    assert.ok(r.kind === 'dnsFailed');
    assert.equal(r.desired, cur);
    assert.equal(r.group, 'MESH');
    assert.equal(r.error.code, 'MESHRR_DNS_TIMEOUT');
    await d.run(cur);
    assert.equal(mem.named('dnsFailed').length, 1, 'warned once per state change');
    assert.equal(mem.named('discoveryKeptEverything').length, 2);
  });

  it('replaces an upstream peer that stays down past the grace period (2 intervals)', async () => {
    const up = answer('10.43.0.1', '10.43.0.2', '10.43.0.3');
    const { d, tick } = setup({ mesh: [answer(), answer(), answer()], up: [up, up, up] }, { established: (a) => a !== '10.43.0.1' });
    const r1 = await d.run(EMPTY_DESIRED_PEERS);
    assert.ok(r1.kind === 'updated');
    assert.deepEqual(r1.desired.groups.get('UP'), ['10.43.0.1', '10.43.0.2']);
    tick();
    const r2 = await d.run(r1.desired);
    assert.ok(r2.kind === 'updated');
    assert.equal(r2.diff.added.length + r2.diff.removed.length, 0, 'within grace');
    tick();
    const r3 = await d.run(r2.desired);
    assert.ok(r3.kind === 'updated');
    assert.deepEqual(r3.diff.removed, [{ group: 'UP', address: '10.43.0.1' }]);
    assert.deepEqual(r3.diff.added, [{ group: 'UP', address: '10.43.0.3' }]);
  });
});
