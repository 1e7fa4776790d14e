/**
 * `dumpRib` with IPv4 and IPv6 routes, in process: a raw BGP client announces an IPv4 route
 * (NEXT_HOP) and an IPv6 route (MP_REACH_NLRI), the RIB is dumped to a file, and Debian's
 * `bgpdump -m` must read it back to exactly what the routes view reports (peer, prefix,
 * AS path, origin, next hop, LOCAL_PREF, MED, communities). The IPv6 entries carry their
 * next hop in the abbreviated MP_REACH_NLRI of RFC 6396 §4.3.4.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { RouteReflector } from '../../src/rr/route-reflector.js';
import { dumpRibToFile } from '../../src/status/rib-dump.js';
import { routesView } from '../../src/status/views.js';
import { AS4_CTX } from '../../src/wire/context.js';
import { FLAG } from '../../src/wire/iana.js';
import { encodePrefixes, parseIpv6 } from '../../src/wire/nlri.js';
import { encodeUpdate, makeUpdate } from '../../src/wire/update.js';
import type { PathAttribute } from '../../src/wire/attribute-types.js';
import { RawPeer } from '../interop/helpers-raw.js';
import { run } from '../helpers/netns.js';
import { pollUntil } from '../helpers/poll.js';
import { makeTmpDir, type TmpDir } from '../helpers/tmp.js';

const RR = '127.0.76.1';
const CLIENT = '127.0.76.10';
const PORT = 17976;

const base = (): PathAttribute[] => [
  { kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: 2 },
  { kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: [{ type: 2, asns: [65010, 4200000001] }] },
  { kind: 'med', code: 4, flags: FLAG.OPTIONAL, value: 7 },
  { kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: 150 },
  { kind: 'communities', code: 8, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: [(65000 << 16) | 1, (65000 << 16) | 2] },
];

describe('RIB dump with IPv4 and IPv6 read back by bgpdump', { timeout: 60_000 }, () => {
  let rr: RouteReflector;
  let peer: RawPeer;
  let tmp: TmpDir;

  before(async () => {
    tmp = await makeTmpDir('ribdump');
    const config = JSON.stringify({ routerId: RR, asn: 65000, hostname: 'dump', listen: [{ address: RR, port: PORT }], groups: [{ name: 'clients', role: 'client', listenRanges: ['127.0.76.0/24'] }] });
    rr = new RouteReflector({ config: parseRouterConfig(config, 'dump.yml'), log: pino({ level: 'silent' }) });
    await rr.start();
    peer = await RawPeer.connect({ host: RR, port: PORT, localAddress: CLIENT });
    await peer.establish(0x7f004c0a);
  });

  after(async () => {
    peer.destroy();
    await rr.stop('test over');
    await tmp.cleanup({ failed: false });
  });

  test('bgpdump -m reads the same routes as the routes view', async () => {
    peer.send(
      encodeUpdate(
        makeUpdate({
          attributes: [...base(), { kind: 'nextHop', code: 3, flags: FLAG.TRANSITIVE, value: 0x7f004c0a }],
          nlri: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes([{ prefix: '198.51.100.128/25' }, { prefix: '203.0.113.0/24' }], false) },
        }),
        AS4_CTX,
      ),
    );
    const nh = parseIpv6('2001:db8::10');
    assert.ok(nh !== null);
    peer.send(
      encodeUpdate(
        makeUpdate({
          attributes: [
            { kind: 'mpReach', code: 14, flags: FLAG.OPTIONAL, value: { afi: 2, safi: 1, nextHop: nh, reserved: Buffer.from([0]), nlri: { afi: 2, safi: 1, addPath: false, bytes: encodePrefixes([{ prefix: '2001:db8:1::/48' }], false) } } },
            ...base(),
          ],
        }),
        AS4_CTX,
      ),
    );
    const view = await pollUntil(
      () => {
        const v = routesView(rr, {});
        return v.routes.length === 3 ? v : undefined;
      },
      { what: 'three routes in the RIB', timeoutMs: 10_000, intervalMs: 20 },
    );
    const file = join(tmp.path, 'rib.mrt');
    assert.equal(await dumpRibToFile(rr, file), 3);
    const { stdout } = await run('bgpdump', ['-m', file]);
    const fromDump = stdout
      .split('\n')
      .filter((l) => l.startsWith('TABLE_DUMP2|'))
      .map((l) => l.split('|').slice(3, 12).join('|'))
      .sort();
    const fromView = view.routes
      .flatMap((r) => r.paths.map((p) => [p.peer, '65000', r.prefix, p.attributes.asPath, p.attributes.origin, p.attributes.nextHop, p.attributes.localPref ?? 0, p.attributes.med ?? 0, p.attributes.communities.join(' ')].join('|')))
      .sort();
    assert.deepEqual(fromDump, fromView);
    assert.deepEqual(fromView, [
      '127.0.76.10|65000|198.51.100.128/25|65010 4200000001|INCOMPLETE|127.0.76.10|150|7|65000:1 65000:2',
      '127.0.76.10|65000|2001:db8:1::/48|65010 4200000001|INCOMPLETE|2001:db8::10|150|7|65000:1 65000:2',
      '127.0.76.10|65000|203.0.113.0/24|65010 4200000001|INCOMPLETE|127.0.76.10|150|7|65000:1 65000:2',
    ]);
  });
});
