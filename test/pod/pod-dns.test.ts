/**
 * The pod against a real DNS server: dnsmasq on a loopback address plays the cluster's
 * CoreDNS with headless Services `meshrr` (namespace default) and `meshrr-core` (namespace
 * core), several A and AAAA records each. The pod's resolver is built as in production
 * (resolv.conf search list and ndots, MESHRR_DNS_SERVERS), the router is a fake. Pods come
 * and go by writing files into dnsmasq's hosts directory; then dnsmasq is killed and restarted.
 */
import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { parseMeshrrConf } from '../../src/pod/meshrr-conf.js';
import { readPodEnv } from '../../src/pod/pod-env.js';
import { CEASE_PEER_DECONFIGURED, Pod } from '../../src/pod/pod.js';
import { createResolver } from '../../src/pod/setup.js';
import { memoryLogger } from '../discovery/helpers-log.js';
import { startDnsmasq } from '../discovery/helpers-dnsmasq.js';
import { withTmpDir } from '../helpers/tmp.js';
import { FakeRouter } from './helpers-router.js';

const MESH = 'meshrr.default.svc.cluster.local';
const CORE = 'meshrr-core.core.svc.cluster.local';

describe('pod discovery with dnsmasq', () => {
  it('follows the headless Services, and keeps everything while DNS is down', async () => {
    await withTmpDir('pod-dns', async (dir) => {
      const dns = await startDnsmasq(dir, {
        hosts: [
          ['10.42.0.7', MESH],
          ['10.42.0.8', MESH],
          ['fd42::8', MESH],
          ['10.42.9.1', CORE],
          ['10.42.9.2', CORE],
          ['fd42:9::3', CORE],
        ],
      });
      try {
        const resolvConf = dir.join('resolv.conf');
        await writeFile(resolvConf, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.255.255.254\noptions ndots:5\n');
        const env = readPodEnv({ POD_IP: '10.42.0.7', MESHRR_RESOLV_CONF: resolvConf, MESHRR_DNS_SERVERS: dns.server, MESHRR_DNS_TIMEOUT_MS: '300' });
        const conf = parseMeshrrConf(
          'asn: "65000"\nbgpgroups:\n  - {name: MESHRR-MESH, type: mesh, source: {hostname: meshrr}}\n  - {name: MESHRR-CLIENTS, type: subtractive, prefixes: [0.0.0.0/0, "::/0"]}\n  - {name: MESHRR-UPSTREAM, type: mesh, source: {hostname: meshrr-core.core}, max_peers: 2}\n',
          'meshrr.conf.yml',
        );
        const routerConfig = parseRouterConfig('routerId: 10.42.0.7\nasn: 65000\ngroups:\n  - {name: MESHRR-MESH, role: nonClient}\n  - {name: MESHRR-CLIENTS, role: client, listenRanges: [0.0.0.0/0, "::/0"]}\n  - {name: MESHRR-UPSTREAM, role: nonClient}\n', 'rr.yml');
        const resolver = await createResolver(env);
        const router = new FakeRouter();
        const mem = memoryLogger();
        const pod = new Pod({ conf, routerConfig, podIp: env.podIp, updateSeconds: 60, router, resolve: resolver.resolve, log: mem.log, random: () => 0 });

        const r1 = await pod.runOnce();
        assert.equal(r1.kind, 'applied');
        assert.deepEqual(Object.fromEntries(router.neighbors), { '10.42.0.8': 'MESHRR-MESH', 'fd42::8': 'MESHRR-MESH', '10.42.9.1': 'MESHRR-UPSTREAM', '10.42.9.2': 'MESHRR-UPSTREAM' });
        assert.ok(!router.neighbors.has('10.42.0.7'), 'our own address is not a peer');
        const ranges = router.ranges.get('MESHRR-CLIENTS') ?? [];
        assert.equal(ranges[0], '0.0.0.0/5');
        router.take();

        // A new mesh pod appears, one goes away; the upstream pair is untouched.
        await dns.setHosts('pod-9', [['10.42.0.9', MESH]]);
        await writeFile(dir.join('hosts'), `10.42.0.7 ${MESH}\nfd42::8 ${MESH}\n10.42.9.1 ${CORE}\n10.42.9.2 ${CORE}\nfd42:9::3 ${CORE}\n`);
        await dns.restart(); // --addn-hosts changes need a reload; the hosts directory is live
        const r2 = await pod.runOnce();
        assert.deepEqual(r2.added, [{ group: 'MESHRR-MESH', address: '10.42.0.9' }]);
        assert.deepEqual(r2.removed, [{ group: 'MESHRR-MESH', address: '10.42.0.8' }]);
        assert.deepEqual(router.take().filter((c) => c.op !== 'ranges'), [
          { op: 'remove', address: '10.42.0.8', notification: CEASE_PEER_DECONFIGURED },
          { op: 'add', group: 'MESHRR-MESH', address: '10.42.0.9' },
        ]);

        // dnsmasq dies: nothing changes, the failure is logged once.
        await dns.stop();
        assert.equal((await pod.runOnce()).kind, 'dnsFailed');
        assert.equal((await pod.runOnce()).kind, 'dnsFailed');
        assert.deepEqual(router.take(), []);
        assert.equal(router.neighbors.size, 4);
        assert.equal(mem.named('dnsFailed').length, 2, 'one warning per group entering the failed state');

        // It comes back with the upstream pod 10.42.9.1 gone: replaced by the next candidate.
        await dns.setHosts('pod-9', [['10.42.0.9', MESH]]);
        await writeFile(dir.join('hosts'), `10.42.0.7 ${MESH}\nfd42::8 ${MESH}\n10.42.9.2 ${CORE}\nfd42:9::3 ${CORE}\n`);
        await dns.restart();
        const r3 = await pod.runOnce();
        assert.deepEqual(r3.removed, [{ group: 'MESHRR-UPSTREAM', address: '10.42.9.1' }]);
        assert.deepEqual(r3.added, [{ group: 'MESHRR-UPSTREAM', address: 'fd42:9::3' }]);
        assert.equal(mem.named('dnsRecovered').length, 2);
        resolver.cancel();
      } finally {
        await dns.stop();
      }
    });
  });
});
