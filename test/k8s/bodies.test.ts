/**
 * The Kubernetes request bodies against the Kubernetes OpenAPI schema (kubernetes-models,
 * generated from the API server's OpenAPI spec), since no API server can run here:
 * every Event meshrr builds is a valid core/v1 Event, and the annotation merge patch,
 * applied to a minimal pod, still gives a valid Pod. A broken body must fail the same check.
 * Also: in-cluster detection.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Event } from 'kubernetes-models/v1/Event';
import { Pod } from 'kubernetes-models/v1/Pod';
import { annotationPatch, eventBody, MAX_ANNOTATED_PEERS, type EventReason } from '../../src/k8s/bodies.js';
import { detectCluster } from '../../src/k8s/cluster.js';

const POD = { namespace: 'meshrr', podName: 'meshrr-core-7d9f8-abcde', nodeName: 'node-1' };
const NOW = Date.UTC(2026, 11, 1, 22, 0, 0, 123);

describe('Kubernetes request bodies', () => {
  test('every Event is a valid core/v1 Event', () => {
    const reasons: EventReason[] = ['BgpSessionEstablished', 'BgpSessionDown', 'ConfigApplied', 'ConfigApplyFailed'];
    reasons.forEach((r, i) => {
      const body = eventBody(POD, r, `what happened: ${'x'.repeat(i * 600)}`, NOW, i);
      new Event(body).validate();
      assert.match(body.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS subdomain');
      assert.ok(body.message.length <= 1024);
      assert.equal(body.firstTimestamp, '2026-12-01T22:00:00Z', 'RFC 3339 without fractions (meta/v1 Time)');
    });
    assert.equal(eventBody(POD, 'BgpSessionDown', 'm', NOW, 0).type, 'Warning');
    assert.equal(eventBody(POD, 'BgpSessionEstablished', 'm', NOW, 0).type, 'Normal');
    assert.notEqual(eventBody(POD, 'ConfigApplied', 'm', NOW, 0).metadata.name, eventBody(POD, 'ConfigApplied', 'm', NOW, 1).metadata.name);
  });

  test('the schema check rejects a broken Event (the check can fail)', () => {
    const body = { ...eventBody(POD, 'ConfigApplied', 'm', NOW, 0), count: '1' };
    assert.throws(() => new Event(body as never).validate(), /count must be integer/);
    const noRef = { ...eventBody(POD, 'ConfigApplied', 'm', NOW, 0), involvedObject: undefined };
    assert.throws(() => new Event(noRef as never).validate(), /involvedObject/);
  });

  test('the annotation patch keeps a Pod valid and stays bounded', () => {
    const peers: Record<string, string> = {};
    for (let i = 0; i < MAX_ANNOTATED_PEERS + 10; i++) peers[`10.0.${i >> 8}.${i & 255}`] = i % 2 === 0 ? 'Established' : 'Active';
    const patch = annotationPatch({ established: 37, configured: 74, peers });
    const pod = new Pod({ metadata: { name: POD.podName, namespace: POD.namespace, annotations: patch.metadata.annotations }, spec: { containers: [{ name: 'meshrr', image: 'meshrr' }] } });
    pod.validate();
    const a = patch.metadata.annotations;
    assert.equal(a['meshrr.io/bgp-sessions'], '37/74 established');
    const listed = JSON.parse(a['meshrr.io/bgp-peers'] ?? '{}') as Record<string, unknown>;
    assert.equal(Object.keys(listed).length, MAX_ANNOTATED_PEERS + 1);
    assert.equal(listed['more'], 10);
    for (const k of Object.keys(a)) assert.match(k, /^[a-z0-9.-]+\/[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/, 'a qualified annotation key');
  });

  test('in-cluster detection', async () => {
    assert.deepEqual(await detectCluster({}), { inCluster: false, reason: 'KUBERNETES_SERVICE_HOST/PORT not set: not running in a Kubernetes pod' });
    const dir = await mkdtemp(join(tmpdir(), 'meshrr-sa-'));
    try {
      const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HOSTNAME: 'meshrr-0' };
      assert.equal((await detectCluster(env, dir)).inCluster, false);
      await writeFile(join(dir, 'token'), 'tok');
      await writeFile(join(dir, 'namespace'), 'meshrr\n');
      assert.deepEqual(await detectCluster(env, dir), { inCluster: true, namespace: 'meshrr', podName: 'meshrr-0', nodeName: null });
      assert.deepEqual(await detectCluster({ ...env, POD_NAME: 'p', POD_NAMESPACE: 'ns', NODE_NAME: 'n' }, dir), { inCluster: true, namespace: 'ns', podName: 'p', nodeName: 'n' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
