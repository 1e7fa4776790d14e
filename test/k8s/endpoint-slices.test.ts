/**
 * `sourcetype: kubernetes` (issue 8) through the real @kubernetes/client-node 1.4 client,
 * against a node:http server standing in for the API server (none can run here). It serves
 * the EndpointSlice list and a watch stream (chunked JSON lines of ADDED/MODIFIED/DELETED);
 * the tests check the requests' paths and parameters, that a pod turning ready/unready adds
 * or removes its address within ~2 s (and the pod its peer, with UPDATE_SECONDS far away),
 * that a watch the server ends is resumed from the last
 * resourceVersion, and that 403 or "not in a cluster" fall back to DNS with one log line.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { DnsLookup, ResolveHost } from '../../src/discovery/dns-resolver.js';
import { EndpointSliceSource, readyAddresses } from '../../src/k8s/endpoint-slices.js';
import { KubernetesDiscovery, kubernetesDiscoveryFromEnv } from '../../src/k8s/k8s-discovery.js';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { parseMeshrrConf } from '../../src/pod/meshrr-conf.js';
import { Pod } from '../../src/pod/pod.js';
import { FakeRouter } from '../pod/helpers-router.js';
import { memoryLogger, WARN } from '../discovery/helpers-log.js';
import { pollUntil } from '../helpers/poll.js';

const NS = 'meshrr';
const SVC = 'meshrr-core';
const PATH = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`;

interface Ep {
  readonly ip: string;
  readonly ready?: boolean;
}

function slice(name: string, addressType: 'IPv4' | 'IPv6', eps: readonly Ep[], rv: string, service = SVC): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: NS, resourceVersion: rv, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: eps.map((e) => ({ addresses: [e.ip], ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }) })),
    ports: [{ name: 'bgp', port: 179, protocol: 'TCP' }],
  };
}

describe('EndpointSlice source', { timeout: 60_000 }, () => {
  let server: Server;
  let kc: KubeConfig;
  const requests: URL[] = [];
  const watches: { readonly res: ServerResponse; readonly selector: string; open: boolean }[] = [];
  let status = 200;
  let items: object[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push(url);
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: status, message: `endpointslices.discovery.k8s.io is forbidden` }));
        return;
      }
      if (url.pathname !== PATH) {
        res.writeHead(404).end();
        return;
      }
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        const w = { res, selector: url.searchParams.get('labelSelector') ?? '', open: true };
        res.on('close', () => (w.open = false));
        watches.push(w);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSliceList', metadata: { resourceVersion: '10' }, items }));
    });
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const a = server.address();
    if (typeof a !== 'object' || a === null) throw new Error('server address');
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: `http://127.0.0.1:${a.port}`, skipTLSVerify: true }],
      users: [{ name: 'meshrr', token: 'test-token' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'meshrr' }],
      currentContext: 'test',
    });
  });

  after(() => {
    for (const w of watches) w.res.destroy();
    server.closeAllConnections();
    server.close();
  });

  beforeEach(() => {
    status = 200;
    requests.length = 0;
    items = [];
  });

  /** Writes an event to the newest open watch of `service` (earlier tests' watches may linger). */
  const send = (type: string, object: object, service = SVC): void => {
    const w = watches.filter((x) => x.open && x.selector === `kubernetes.io/service-name=${service}`).at(-1);
    assert.ok(w !== undefined, 'a watch is open');
    w.res.write(`${JSON.stringify({ type, object })}\n`);
  };

  test('readyAddresses: ready or nil condition counts, FQDN slices do not, addresses normalised', () => {
    assert.deepEqual(readyAddresses(slice('a', 'IPv4', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', ready: false }, { ip: '10.0.0.3', ready: true }], '1')), ['10.0.0.1', '10.0.0.3']);
    assert.deepEqual(readyAddresses(slice('b', 'IPv6', [{ ip: '2001:DB8:0:0::1' }], '1')), ['2001:db8::1']);
    assert.deepEqual(readyAddresses({ addressType: 'FQDN', endpoints: [{ addresses: ['x.example'] }] }), []);
    assert.deepEqual(readyAddresses(null), []);
  });

  test('lists, watches, and follows readiness within seconds', async () => {
    items = [slice('core-v4', 'IPv4', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6', ready: false }], '9'), slice('core-v6', 'IPv6', [{ ip: 'fd00::5', ready: true }], '9')];
    let changes = 0;
    const { log } = memoryLogger();
    const src = new EndpointSliceSource({ kc, namespace: NS, service: SVC, log, onChange: () => changes++, retryMs: 100, coalesceMs: 20 });
    try {
      assert.deepEqual(await src.start(), { kind: 'synced' });
      assert.deepEqual(src.lookup(), { kind: 'answer', name: `k8s:${NS}/${SVC}`, addresses: ['10.42.0.5', 'fd00::5'], tried: [`endpointslices ${NS}/${SVC}`] });

      const list = requests[0];
      assert.ok(list !== undefined);
      assert.equal(list.pathname, PATH);
      assert.equal(list.searchParams.get('labelSelector'), `kubernetes.io/service-name=${SVC}`);
      assert.equal(list.searchParams.get('watch'), null);
      const watch = await pollUntil(() => requests.find((r) => r.searchParams.get('watch') === 'true'), { what: 'the watch request', timeoutMs: 5000 });
      assert.equal(watch.pathname, PATH);
      assert.equal(watch.searchParams.get('labelSelector'), `kubernetes.io/service-name=${SVC}`);
      assert.equal(watch.searchParams.get('resourceVersion'), '10');
      assert.equal(watch.searchParams.get('allowWatchBookmarks'), 'true');

      // 10.42.0.6 becomes Ready.
      send('MODIFIED', slice('core-v4', 'IPv4', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6', ready: true }], '11'));
      await pollUntil(() => src.addresses.includes('10.42.0.6'), { what: 'the ready pod in the set', timeoutMs: 2000, intervalMs: 20 });
      await pollUntil(() => changes >= 1, { what: 'onChange', timeoutMs: 2000, intervalMs: 20 });
      // 10.42.0.5 becomes unready; a new slice is added; the IPv6 slice goes away.
      send('MODIFIED', slice('core-v4', 'IPv4', [{ ip: '10.42.0.5', ready: false }, { ip: '10.42.0.6', ready: true }], '12'));
      send('ADDED', slice('core-v4-2', 'IPv4', [{ ip: '10.42.1.7' }], '13'));
      send('DELETED', slice('core-v6', 'IPv6', [{ ip: 'fd00::5' }], '14'));
      await pollUntil(() => src.addresses.join(',') === '10.42.0.6,10.42.1.7', { what: 'the set after unready/added/deleted', timeoutMs: 2000, intervalMs: 20 });
      send('BOOKMARK', { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '20' } });

      // The server ends the watch (its timeout): resumed from the last resourceVersion.
      const before = requests.length;
      watches.filter((w) => w.open).at(-1)?.res.end();
      const resumed = await pollUntil(() => requests.slice(before).find((r) => r.searchParams.get('watch') === 'true'), { what: 'the resumed watch', timeoutMs: 5000 });
      assert.equal(resumed.searchParams.get('resourceVersion'), '20');
      send('MODIFIED', slice('core-v4-2', 'IPv4', [{ ip: '10.42.1.7', ready: false }], '21'));
      await pollUntil(() => src.addresses.join(',') === '10.42.0.6', { what: 'a change on the resumed watch', timeoutMs: 2000, intervalMs: 20 });

      // No ready endpoint at all: like an empty headless Service (discovery keeps its peers).
      send('MODIFIED', slice('core-v4', 'IPv4', [{ ip: '10.42.0.6', ready: false }], '22'));
      await pollUntil(() => src.lookup().kind === 'nodata', { what: 'nodata', timeoutMs: 2000, intervalMs: 20 });
    } finally {
      src.stop();
    }
  });

  const conf = parseMeshrrConf(`asn: "65000"\nbgpgroups:\n  - {name: MESH, type: mesh, source: {sourcetype: kubernetes, service: ${SVC}}}\n  - {name: UP, type: mesh, source: {hostname: meshrr.core.svc.cluster.local}}\n`, 'meshrr.conf.yml');
  const dnsAsked: string[] = [];
  const dns: ResolveHost = async (h): Promise<DnsLookup> => {
    dnsAsked.push(h);
    return { kind: 'answer', name: `${h}.${NS}.svc.cluster.local`, addresses: ['10.42.9.9'], tried: [h] };
  };

  test('answers kubernetes groups from EndpointSlices, others from DNS', async () => {
    items = [slice('core-v4', 'IPv4', [{ ip: '10.42.0.5' }], '9')];
    dnsAsked.length = 0;
    const { log } = memoryLogger();
    const k = new KubernetesDiscovery({ kc, namespace: NS, log });
    try {
      await k.update(conf);
      const resolve = k.resolver(dns);
      const r = await resolve(SVC);
      assert.ok(r.kind === 'answer');
      assert.deepEqual([r.name, r.addresses], [`k8s:${NS}/${SVC}`, ['10.42.0.5']]);
      assert.equal((await resolve('meshrr.core.svc.cluster.local')).kind, 'answer');
      assert.deepEqual(dnsAsked, ['meshrr.core.svc.cluster.local']);
    } finally {
      k.stop();
    }
  });

  test('the pod adds and removes peers within ~2 s of a pod turning ready or unready', async () => {
    const svc = 'meshrr-pod';
    const podConf = parseMeshrrConf(`asn: "65000"\nbgpgroups:\n  - {name: MESH, type: mesh, source: {sourcetype: kubernetes, service: ${svc}}}\n  - {name: UP, type: mesh, source: {hostname: meshrr.core.svc.cluster.local}}\n`, 'meshrr.conf.yml');
    items = [slice('pod-v4', 'IPv4', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6', ready: false }], '9', svc)];
    const { log } = memoryLogger('info');
    const router = new FakeRouter();
    const podRef: { pod?: Pod } = {};
    const k = new KubernetesDiscovery({ kc, namespace: NS, log, onChange: () => void podRef.pod?.runSoon() });
    const routerConfig = parseRouterConfig('routerId: 10.42.0.1\nasn: 65000\ngroups:\n  - {name: MESH, role: nonClient}\n  - {name: UP, role: nonClient}\n', 'rr.yml');
    // UPDATE_SECONDS 300: only the watch can explain a change within 2 s.
    const pod = new Pod({ conf: podConf, routerConfig, podIp: '10.42.0.1', updateSeconds: 300, router, resolve: k.resolver(dns), log });
    podRef.pod = pod;
    try {
      await k.update(podConf);
      await pod.runOnce();
      assert.equal(router.neighbors.get('10.42.0.5'), 'MESH');
      assert.ok(!router.neighbors.has('10.42.0.6'));
      await pollUntil(() => watches.some((w) => w.open && w.selector === `kubernetes.io/service-name=${svc}`), { what: 'the watch', timeoutMs: 5000 });
      const t0 = Date.now();
      send('MODIFIED', slice('pod-v4', 'IPv4', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6', ready: true }], '11', svc), svc);
      await pollUntil(() => router.neighbors.get('10.42.0.6') === 'MESH', { what: '10.42.0.6 added', timeoutMs: 2000, intervalMs: 20 });
      send('MODIFIED', slice('pod-v4', 'IPv4', [{ ip: '10.42.0.5', ready: false }, { ip: '10.42.0.6', ready: true }], '12', svc), svc);
      await pollUntil(() => !router.neighbors.has('10.42.0.5'), { what: '10.42.0.5 removed', timeoutMs: 2000, intervalMs: 20 });
      assert.ok(Date.now() - t0 < 4000);
    } finally {
      k.stop();
      await pod.stop();
    }
  });

  test('410 Gone re-lists; 403 on a later watch falls back to DNS', async () => {
    const svc = 'meshrr-relist';
    const relistConf = parseMeshrrConf(`asn: "65000"\nbgpgroups:\n  - {name: MESH, type: mesh, source: {sourcetype: kubernetes, service: ${svc}}}\n`, 'meshrr.conf.yml');
    items = [slice('r-v4', 'IPv4', [{ ip: '10.42.3.1' }], '9', svc)];
    dnsAsked.length = 0;
    const { log, named } = memoryLogger();
    const k = new KubernetesDiscovery({ kc, namespace: NS, log, retryMs: 50 });
    try {
      await k.update(relistConf);
      const src = k.source(svc);
      assert.ok(src !== undefined);
      await pollUntil(() => watches.some((w) => w.open && w.selector === `kubernetes.io/service-name=${svc}`), { what: 'the watch', timeoutMs: 5000 });
      // The resourceVersion expired: the source lists again and sees what changed meanwhile.
      items = [slice('r-v4', 'IPv4', [{ ip: '10.42.3.2' }], '30', svc)];
      send('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 }, svc);
      await pollUntil(() => src.requests.lists >= 2 && src.addresses.join(',') === '10.42.3.2', { what: 'the re-list after 410', timeoutMs: 3000, intervalMs: 20 });
      await pollUntil(() => watches.some((w) => w.open && w.selector === `kubernetes.io/service-name=${svc}`), { what: 'the new watch', timeoutMs: 5000 });
      assert.equal(requests.filter((r) => r.searchParams.get('watch') === 'true').at(-1)?.searchParams.get('resourceVersion'), '10');
      // RBAC withdrawn: the next watch gets 403, and the group goes back to DNS.
      status = 403;
      for (const w of watches.filter((x) => x.open)) w.res.end();
      await pollUntil(() => src.state.kind === 'unavailable', { what: 'unavailable after 403', timeoutMs: 3000, intervalMs: 20 });
      assert.equal((await k.resolver(dns)(svc)).kind, 'answer');
      assert.deepEqual(dnsAsked, [svc]);
      assert.equal(named('k8sDiscoveryUnavailable').length, 1);
    } finally {
      k.stop();
    }
  });

  test('403 (RBAC): falls back to DNS for the group, logged once, never retried', async () => {
    status = 403;
    dnsAsked.length = 0;
    const { log, named } = memoryLogger();
    const k = new KubernetesDiscovery({ kc, namespace: NS, log, retryMs: 50 });
    try {
      await k.update(conf);
      assert.equal(k.source(SVC)?.state.kind, 'unavailable');
      const r = await k.resolver(dns)(SVC);
      assert.equal(r.kind, 'answer');
      assert.deepEqual(dnsAsked, [SVC], 'the group name is resolved by DNS with the search list');
      const lines = named('k8sDiscoveryUnavailable');
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.level, WARN);
      assert.equal(lines[0]?.['status'], 403);
      assert.match(String(lines[0]?.['reason']), /RBAC does not allow list\/watch of discovery\.k8s\.io endpointslices \(403 Forbidden\)/);
      assert.equal(lines[0]?.['retrying'], false);
      assert.deepEqual(k.source(SVC)?.state, { kind: 'unavailable', status: 403, reason: lines[0]?.['reason'], retrying: false });
      assert.equal(k.source(SVC)?.requests.lists, 1);
    } finally {
      k.stop();
    }
  });

  test('not in a cluster: DNS, with the reason logged once', async () => {
    dnsAsked.length = 0;
    const { log, named } = memoryLogger();
    const k = new KubernetesDiscovery({ kc: null, unavailableReason: 'KUBERNETES_SERVICE_HOST/PORT not set: not running in a Kubernetes pod', namespace: null, log });
    await k.update(conf);
    await k.update(conf);
    assert.equal((await k.resolver(dns)(SVC)).kind, 'answer');
    assert.deepEqual(dnsAsked, [SVC]);
    const lines = named('k8sDiscoveryUnavailable');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['fallback'], SVC);
    assert.match(String(lines[0]?.['reason']), /not running in a Kubernetes pod/);
    assert.equal(requests.length, 0);
  });

  test('kubernetesDiscoveryFromEnv outside a pod: DNS, saying why', async () => {
    dnsAsked.length = 0;
    const { log, named } = memoryLogger();
    const k = await kubernetesDiscoveryFromEnv({ POD_NAMESPACE: NS }, log, () => undefined);
    await k.update(conf);
    assert.equal((await k.resolver(dns)(SVC)).kind, 'answer');
    assert.deepEqual(dnsAsked, [SVC]);
    assert.match(String(named('k8sDiscoveryUnavailable')[0]?.['reason']), /KUBERNETES_SERVICE_HOST\/PORT not set/);
  });
});
