/**
 * The discovery view (`/v1/discovery`, `meshrr show discovery`): the pod's resolver wrapped
 * so each lookup is recorded (last answer per hostname, failures) and timed for the metrics,
 * with the peers and listen ranges the pod applied. Answers pass through unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DnsError, type DnsLookup, type ResolveHost } from '../../src/discovery/dns-resolver.js';
import { instrumentResolver } from '../../src/status/discovery-view.js';

describe('discovery view', () => {
  test('records lookups, passes answers through, feeds the listeners', async () => {
    const answers: Record<string, DnsLookup> = {
      'meshrr-core': { kind: 'answer', name: 'meshrr-core.default.svc.cluster.local', addresses: ['10.42.0.7', '10.42.0.8'], tried: ['meshrr-core.default.svc.cluster.local'] },
      'meshrr-edge': { kind: 'failed', error: new DnsError('MESHRR_DNS_TIMEOUT', 'meshrr-edge.default.svc.cluster.local', 'A', null), tried: ['meshrr-edge.default.svc.cluster.local'] },
    };
    const resolve: ResolveHost = async (h) => answers[h] ?? { kind: 'nxdomain', tried: [h] };
    const d = instrumentResolver(resolve);
    const heard: string[] = [];
    d.onLookup((result, seconds) => {
      assert.ok(seconds >= 0);
      heard.push(result);
    });
    assert.deepEqual(d.view(undefined), { lookups: 0, failures: 0, lastLookupAt: null, answers: [], peers: {}, listenRanges: {}, lastRun: null });
    assert.equal(await d.resolve('meshrr-core'), answers['meshrr-core']);
    await d.resolve('meshrr-edge');
    await d.resolve('meshrr-core');
    await d.resolve('nowhere');
    assert.deepEqual(heard, ['ok', 'error', 'ok', 'ok']);
    const v = d.view({ peers: { groups: new Map([['core', ['10.42.0.8']]]) }, listenRanges: new Map([['clients', ['10.1.0.0/16']]]), lastRun: null });
    assert.equal(v.lookups, 4);
    assert.equal(v.failures, 1);
    assert.deepEqual(
      v.answers.map((a) => [a.hostname, a.result, a.addresses.join(' '), a.error]),
      [
        ['meshrr-core', 'answer', '10.42.0.7 10.42.0.8', null],
        ['meshrr-edge', 'failed', '', 'A meshrr-edge.default.svc.cluster.local: no answer from the nameservers (timeout)'],
        ['nowhere', 'nxdomain', '', null],
      ],
    );
    assert.deepEqual(v.peers, { core: ['10.42.0.8'] });
    assert.deepEqual(v.listenRanges, { clients: ['10.1.0.0/16'] });
  });
});
