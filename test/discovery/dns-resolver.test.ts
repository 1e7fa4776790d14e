/**
 * HeadlessResolver against a real DNS server (dnsmasq on a loopback address, helpers-dnsmasq.ts)
 * playing a cluster's CoreDNS: several A and AAAA records per Service name, the pod's search
 * list and ndots, records changing while it runs, NXDOMAIN, NODATA, REFUSED, and a dead server.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { HeadlessResolver, normaliseAddress, sortAddresses } from '../../src/discovery/dns-resolver.js';
import type { DnsLookup } from '../../src/discovery/dns-resolver.js';
import { parseResolvConf } from '../../src/discovery/resolv-conf.js';
import { pollUntil } from '../helpers/poll.js';
import { makeTmpDir } from '../helpers/tmp.js';
import type { TmpDir } from '../helpers/tmp.js';
import { k8sResolvConf, startDnsmasq } from './helpers-dnsmasq.js';
import type { Dnsmasq } from './helpers-dnsmasq.js';

const MESH = 'meshrr.default.svc.cluster.local';
const CORE = 'meshrr-core.core.svc.cluster.local';

describe('HeadlessResolver with dnsmasq', () => {
  let dir: TmpDir;
  let dns: Dnsmasq;
  let resolver: HeadlessResolver;

  before(async () => {
    dir = await makeTmpDir('dns');
    dns = await startDnsmasq(dir, {
      hosts: [
        ['10.42.0.7', MESH],
        ['10.42.1.5', MESH],
        ['10.42.2.9', MESH],
        ['2001:db8:42::7', MESH],
        ['2001:DB8:42:0::15', MESH],
        ['10.42.9.1', CORE],
        ['10.42.9.2', CORE],
        ['2001:db8:9::1', 'v6only.default.svc.cluster.local'],
      ],
      txt: ['notaddr.default.svc.cluster.local'],
    });
    resolver = new HeadlessResolver({ resolvConf: parseResolvConf(k8sResolvConf(dns.server)), timeoutMs: 300, tries: 1 });
  });

  after(async () => {
    await dns.stop();
    await dir.cleanup();
  });

  it('returns every A and AAAA record, normalised and sorted', async () => {
    const r = await resolver.resolve(`${MESH}.`);
    assert.deepEqual(r, { kind: 'answer', name: MESH, addresses: ['10.42.0.7', '10.42.1.5', '10.42.2.9', '2001:db8:42::7', '2001:db8:42::15'], tried: [MESH] });
  });

  it('expands short names with the search list and ndots like the system resolver', async () => {
    const r = await resolver.resolve('meshrr');
    assert.equal(r.kind, 'answer');
    assert.deepEqual(r.tried, [MESH]);
    // 1 dot < ndots 5: the search domains come first; only `svc.cluster.local` completes it.
    const core = await resolver.resolve('meshrr-core.core');
    assert.ok(core.kind === 'answer');
    assert.equal(core.name, CORE);
    assert.deepEqual(core.addresses, ['10.42.9.1', '10.42.9.2']);
    assert.deepEqual(core.tried, ['meshrr-core.core.default.svc.cluster.local', CORE]);
    // The full name (4 dots) also goes through the search list first, then as is.
    const full = await resolver.resolve(CORE);
    assert.ok(full.kind === 'answer');
    assert.equal(full.tried.length, 4);
    assert.deepEqual(resolver.candidates('meshrr'), [MESH, 'meshrr.svc.cluster.local', 'meshrr.cluster.local', 'meshrr']);
  });

  it('answers for an IPv6-only Service', async () => {
    const r = await resolver.resolve('v6only');
    assert.ok(r.kind === 'answer');
    assert.deepEqual(r.addresses, ['2001:db8:9::1']);
  });

  it('reports NXDOMAIN after trying every candidate, NODATA for a name without addresses', async () => {
    const nx = await resolver.resolve('nosuch');
    assert.deepEqual(nx, { kind: 'nxdomain', tried: ['nosuch.default.svc.cluster.local', 'nosuch.svc.cluster.local', 'nosuch.cluster.local', 'nosuch'] });
    const nodata = await resolver.resolve('notaddr');
    assert.equal(nodata.kind, 'nodata');
  });

  it('picks up records added to and removed from the hosts directory', async () => {
    await dns.setHosts('new-pod', [['10.42.3.3', MESH], ['10.42.9.3', CORE]]);
    const added = await pollUntil(async () => {
      const r = await resolver.resolve('meshrr');
      return r.kind === 'answer' && r.addresses.includes('10.42.3.3') ? r : null;
    }, { what: 'the new record', timeoutMs: 5000 });
    assert.deepEqual(added.addresses.filter((a) => a.startsWith('10.')), ['10.42.0.7', '10.42.1.5', '10.42.2.9', '10.42.3.3']);
    await dns.removeHosts('new-pod');
    await pollUntil(async () => {
      const r = await resolver.resolve('meshrr');
      return r.kind === 'answer' && !r.addresses.includes('10.42.3.3');
    }, { what: 'the record to go', timeoutMs: 5000 });
  });

  it('classifies a dead server as a transient failure, and recovers when it is back', async () => {
    await dns.stop();
    const r: DnsLookup = await resolver.resolve('meshrr');
    assert.equal(r.kind, 'failed');
    assert.ok(r.kind === 'failed' && ['MESHRR_DNS_UNREACHABLE', 'MESHRR_DNS_TIMEOUT'].includes(r.error.code), r.kind === 'failed' ? r.error.message : '');
    assert.deepEqual(r.tried, [MESH], 'stops at the first failing candidate');
    await dns.restart();
    const back = await resolver.resolve('meshrr');
    assert.equal(back.kind, 'answer');
  });

  it('classifies REFUSED as a transient failure (MESHRR_DNS_SERVFAIL)', async () => {
    // A name the server is not authoritative for and cannot forward: dnsmasq without --local=/#/.
    const { classify } = await import('../../src/discovery/dns-resolver.js');
    const r = classify(Object.assign(new Error('queryA EREFUSED x'), { code: 'EREFUSED' }), 'x', 'A');
    assert.ok(r.kind === 'failed' && r.error.code === 'MESHRR_DNS_SERVFAIL');
    assert.equal(r.kind === 'failed' ? r.error.message : '', 'A x: the nameserver could not answer (SERVFAIL or REFUSED) (EREFUSED)');
    const t = classify(Object.assign(new Error('t'), { code: 'ETIMEOUT' }), 'y', 'AAAA');
    assert.ok(t.kind === 'failed' && t.error.code === 'MESHRR_DNS_TIMEOUT' && t.error.message === 'AAAA y: no answer from the nameservers (timeout) (ETIMEOUT)');
  });
});

describe('address normalisation', () => {
  it('canonicalises and sorts', () => {
    assert.equal(normaliseAddress('2001:DB8:0:0::1'), '2001:db8::1');
    assert.equal(normaliseAddress('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(normaliseAddress('nope'), null);
    assert.deepEqual(sortAddresses(['2001:db8::1', '10.0.0.10', '10.0.0.9', '10.0.0.9', '::1']), ['10.0.0.9', '10.0.0.10', '::1', '2001:db8::1']);
  });
});
