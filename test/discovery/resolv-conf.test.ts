/**
 * resolv.conf parsing and search-list expansion (src/discovery/resolv-conf.ts), against the
 * glibc rules listed in the module comment, with a Kubernetes pod's resolv.conf.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseResolvConf, parseServerList, RESOLV_DEFAULTS, searchCandidates } from '../../src/discovery/resolv-conf.js';

const K8S = `search default.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.43.0.10
options ndots:5
`;

describe('parseResolvConf', () => {
  it('reads a Kubernetes pod resolv.conf', () => {
    assert.deepEqual(parseResolvConf(K8S), { nameservers: ['10.43.0.10'], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5, timeout: 5, attempts: 2 });
  });

  it('has glibc defaults for an empty file', () => {
    assert.deepEqual(parseResolvConf(''), RESOLV_DEFAULTS);
  });

  it('keeps the last of search/domain, at most 3 nameservers and 6 domains, and caps options', () => {
    const c = parseResolvConf(
      ['# comment', 'domain example.com', 'search a.example. b c d e f g h', 'nameserver 192.0.2.1', 'nameserver 192.0.2.2 ; trailing', 'nameserver ::1', 'nameserver 192.0.2.4', 'options ndots:20 timeout:0 attempts:9 rotate edns0', 'bogus line'].join('\n'),
    );
    assert.deepEqual(c.nameservers, ['192.0.2.1', '192.0.2.2', '::1']);
    assert.deepEqual(c.search, ['a.example', 'b', 'c', 'd', 'e', 'f']);
    assert.equal(c.ndots, 15);
    assert.equal(c.timeout, 1);
    assert.equal(c.attempts, 5);
    assert.deepEqual(parseResolvConf('search a b\ndomain z.example\n').search, ['z.example']);
  });
});

describe('searchCandidates', () => {
  const k8s = parseResolvConf(K8S);

  it('tries short names with each search domain first (dots < ndots)', () => {
    assert.deepEqual(searchCandidates('meshrr', k8s), ['meshrr.default.svc.cluster.local', 'meshrr.svc.cluster.local', 'meshrr.cluster.local', 'meshrr']);
    assert.deepEqual(searchCandidates('meshrr.core.svc.cluster.local', k8s), [
      'meshrr.core.svc.cluster.local.default.svc.cluster.local',
      'meshrr.core.svc.cluster.local.svc.cluster.local',
      'meshrr.core.svc.cluster.local.cluster.local',
      'meshrr.core.svc.cluster.local',
    ]);
  });

  it('tries names with at least ndots dots as they are first', () => {
    assert.deepEqual(searchCandidates('a.b', { search: ['x'], ndots: 1 }), ['a.b', 'a.b.x']);
    assert.deepEqual(searchCandidates('a', { search: ['x'], ndots: 1 }), ['a.x', 'a']);
    assert.deepEqual(searchCandidates('a', { search: [], ndots: 0 }), ['a']);
  });

  it('tries an absolute name (trailing dot) only as it is', () => {
    assert.deepEqual(searchCandidates('meshrr.core.svc.cluster.local.', k8s), ['meshrr.core.svc.cluster.local']);
  });
});

describe('parseServerList', () => {
  it('splits on commas and spaces', () => {
    assert.deepEqual(parseServerList('127.0.0.53:5353, [::1]:53 10.0.0.1'), ['127.0.0.53:5353', '[::1]:53', '10.0.0.1']);
    assert.throws(() => parseServerList(' , '), /expected at least one nameserver/);
  });
});
