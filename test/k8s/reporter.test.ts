/**
 * Kubernetes Events and pod annotations through the real @kubernetes/client-node 1.4
 * client, against a small HTTP server in the test standing in for the API server (none can
 * run here): a raw BGP client's session with an in-process RouteReflector comes up and goes
 * down; the server must receive POST .../events for both, and merge patches of the pod's
 * annotations; every body it receives is checked against the Kubernetes OpenAPI schema
 * (kubernetes-models). Then the server answers 403 (RBAC): the reporter turns itself off
 * with one log line. Outside a cluster, startOperations logs one line and starts nothing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Event } from 'kubernetes-models/v1/Event';
import { Pod } from 'kubernetes-models/v1/Pod';
import { pino, type Logger } from 'pino';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { RouteReflector } from '../../src/rr/route-reflector.js';
import { clientWriter } from '../../src/k8s/client.js';
import { K8sReporter } from '../../src/k8s/reporter.js';
import { startOperations } from '../../src/status/operations.js';
import { takeOperationsArgs } from '../../src/status/options.js';
import { encodeNotification } from '../../src/wire/notification.js';
import { RawPeer } from '../interop/helpers-raw.js';
import { pollUntil } from '../helpers/poll.js';

const RR = '127.0.75.1';
const CLIENT = '127.0.75.10';
const BGP_PORT = 17975;
const POD = { namespace: 'meshrr', podName: 'meshrr-core-0', nodeName: 'node-1' };

interface Req {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly auth: string;
  readonly body: unknown;
}

/** Log lines as objects (pino to a stream in memory). */
function memoryLog(): { log: Logger; lines: { msg: string; [k: string]: unknown }[] } {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as { msg: string });
      cb();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

describe('Kubernetes Events and annotations', { timeout: 60_000 }, () => {
  let server: Server;
  let apiUrl = '';
  const requests: Req[] = [];
  let status = 201;
  let rr: RouteReflector;

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString('utf8')));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', auth: req.headers.authorization ?? '', body: data === '' ? null : JSON.parse(data) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status >= 400 ? JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: status }) : data);
      });
    });
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const a = server.address();
    if (typeof a !== 'object' || a === null) throw new Error('server address');
    apiUrl = `http://127.0.0.1:${a.port}`;
    const config = JSON.stringify({ routerId: RR, asn: 65000, hostname: 'k8s-test', listen: [{ address: RR, port: BGP_PORT }], groups: [{ name: 'clients', role: 'client', listenRanges: ['127.0.75.0/24'] }] });
    rr = new RouteReflector({ config: parseRouterConfig(config, 'k8s.yml'), log: pino({ level: 'silent' }) });
    await rr.start();
  });

  after(async () => {
    await rr.stop('test over');
    server.close();
  });

  test('session up/down become Events and annotation patches, all schema-valid', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: apiUrl, skipTLSVerify: true }],
      users: [{ name: 'meshrr', token: 'test-token' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'meshrr' }],
      currentContext: 'test',
    });
    const { log } = memoryLog();
    const reporter = new K8sReporter({ rr, pod: POD, writer: clientWriter(kc), log, annotateEveryMs: 50 });
    reporter.start();
    reporter.configApplied('router config k8s.yml applied');
    const peer = await RawPeer.connect({ host: RR, port: BGP_PORT, localAddress: CLIENT });
    await peer.establish(0x7f004b0a);
    await pollUntil(() => requests.some((r) => (r.body as { reason?: string } | null)?.reason === 'BgpSessionEstablished'), { what: 'the session-up Event', timeoutMs: 10_000 });
    await pollUntil(
      () => requests.some((r) => r.method === 'PATCH' && JSON.stringify(r.body).includes('"1/1 established"')),
      { what: 'the annotation patch with the session up', timeoutMs: 10_000 },
    );
    peer.send(encodeNotification({ code: 6, subcode: 2, data: Buffer.alloc(0) }));
    const down = await pollUntil(() => requests.find((r) => (r.body as { reason?: string } | null)?.reason === 'BgpSessionDown'), { what: 'the session-down Event', timeoutMs: 10_000 });
    assert.equal((down.body as { message: string }).message, `BGP session with ${CLIENT} (group clients) down: received Cease/Administrative Shutdown`);
    await reporter.stop();
    peer.destroy();

    const events = requests.filter((r) => r.method === 'POST');
    const patches = requests.filter((r) => r.method === 'PATCH');
    assert.deepEqual(events.map((e) => (e.body as { reason: string }).reason), ['ConfigApplied', 'BgpSessionEstablished', 'BgpSessionDown']);
    for (const e of events) {
      assert.equal(e.path, '/api/v1/namespaces/meshrr/events');
      assert.match(e.contentType, /^application\/json/);
      assert.equal(e.auth, 'Bearer test-token');
      new Event(e.body as never).validate();
    }
    assert.ok(patches.length >= 1);
    for (const p of patches) {
      assert.equal(p.path, '/api/v1/namespaces/meshrr/pods/meshrr-core-0');
      assert.equal(p.contentType, 'application/merge-patch+json');
      const annotations = (p.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
      new Pod({ metadata: { name: POD.podName, annotations }, spec: { containers: [{ name: 'meshrr', image: 'meshrr' }] } }).validate();
    }
  });

  test('403 from the API server turns the reporter off with one log line', async () => {
    status = 403;
    requests.length = 0;
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 't', server: apiUrl, skipTLSVerify: true }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'c', cluster: 't', user: 'u' }], currentContext: 'c' });
    const { log, lines } = memoryLog();
    const reporter = new K8sReporter({ rr, pod: POD, writer: clientWriter(kc), log, annotateEveryMs: 10_000 });
    reporter.start();
    reporter.configApplied('first');
    await pollUntil(() => !reporter.enabled, { what: 'reporter off after 403', timeoutMs: 10_000 });
    const before = requests.length;
    reporter.configApplied('second');
    reporter.configFailed('third');
    await reporter.stop();
    assert.equal(requests.length, before, 'no request once off');
    const off = lines.filter((l) => l.msg === 'kubernetesEventsOff');
    assert.equal(off.length, 1);
    assert.equal(off[0]?.['status'], 403);
  });

  test('outside a cluster: one log line, no reporter', async () => {
    const { log, lines } = memoryLog();
    const parsed = takeOperationsArgs(['--status-address', 'off'], {});
    assert.ok(!('error' in parsed));
    const saved = process.env['KUBERNETES_SERVICE_HOST'];
    delete process.env['KUBERNETES_SERVICE_HOST'];
    try {
      const ops = await startOperations({ rr, log, options: parsed.options, config: () => ({ source: 'k8s.yml', template: null, text: '', appliedAt: null }) });
      assert.equal(ops.k8s, null);
      ops.configApplied();
      await ops.stop();
    } finally {
      if (saved !== undefined) process.env['KUBERNETES_SERVICE_HOST'] = saved;
    }
    const off = lines.filter((l) => l.msg === 'kubernetesEventsOff');
    assert.equal(off.length, 1);
    assert.match(String(off[0]?.['reason']), /not running in a Kubernetes pod/);
  });
});
