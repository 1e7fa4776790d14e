/**
 * `meshrr show` and `meshrr dump rib` as commands (runCli, in process) against a status
 * server of an in-process RouteReflector with one raw BGP client: the text and JSON reach
 * stdout, errors reach stderr with exit 1 (server unreachable, refused query) or 2 (usage).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { runCli } from '../../src/cli/main.js';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { RouteReflector } from '../../src/rr/route-reflector.js';
import { StatusServer } from '../../src/status/server.js';
import type { RoutesView } from '../../src/status/views.js';
import { AS4_CTX } from '../../src/wire/context.js';
import { FLAG } from '../../src/wire/iana.js';
import { encodePrefixes } from '../../src/wire/nlri.js';
import { encodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { RawPeer } from '../interop/helpers-raw.js';
import { pollUntil } from '../helpers/poll.js';
import { makeTmpDir, type TmpDir } from '../helpers/tmp.js';

const RR = '127.0.77.1';
const CLIENT = '127.0.77.10';
const PORT = 17977;

async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli(args, { stdout, stderr });
  return { code, out, err };
}

describe('meshrr show and dump rib commands', { timeout: 60_000 }, () => {
  let rr: RouteReflector;
  let server: StatusServer;
  let peer: RawPeer;
  let address = '';
  let tmp: TmpDir;

  before(async () => {
    tmp = await makeTmpDir('show');
    const config = JSON.stringify({ routerId: RR, asn: 65000, hostname: 'show', listen: [{ address: RR, port: PORT }], groups: [{ name: 'clients', role: 'client', listenRanges: ['127.0.77.0/24'] }] });
    rr = new RouteReflector({ config: parseRouterConfig(config, 'show.yml'), log: pino({ level: 'silent' }) });
    server = new StatusServer({ rr, log: pino({ level: 'silent' }), address: { host: '127.0.0.1', port: 0 }, readiness: { minSessions: 1, groups: [] }, maxLagMs: 2000, config: () => ({ source: 'show.yml', template: null, text: config, appliedAt: null }) });
    const bound = await server.start();
    address = `127.0.0.1:${bound.status?.port ?? 0}`;
    await rr.start();
    server.markConfigApplied();
    peer = await RawPeer.connect({ host: RR, port: PORT, localAddress: CLIENT });
    await peer.establish(0x7f004d0a);
    peer.send(
      encodeUpdate(
        makeUpdate({
          attributes: [
            { kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: 0 },
            { kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: [] },
            { kind: 'nextHop', code: 3, flags: FLAG.TRANSITIVE, value: 0x7f004d0a },
          ],
          nlri: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes([{ prefix: '203.0.113.0/24' }], false) },
        }),
        AS4_CTX,
      ),
    );
  });

  after(async () => {
    peer.destroy();
    await server.stop();
    await rr.stop('test over');
    await tmp.cleanup({ failed: false });
  });

  test('show summary, neighbors, routes, config', async () => {
    const s = await pollUntil(
      async () => {
        const r = await cli(['show', 'summary', '--status-address', address]);
        return r.out.includes(`${CLIENT}     4      65000`) && /\s1\s+0 N\/A\n/.test(r.out) ? r : undefined;
      },
      { what: 'summary row with 1 prefix received', timeoutMs: 10_000 },
    );
    assert.equal(s.code, 0);
    const n = await cli(['show', 'neighbors', CLIENT, '--status-address', address]);
    assert.equal(n.code, 0);
    assert.match(n.out, /^BGP neighbor is 127\.0\.77\.10, remote AS 65000, local AS 65000, internal link$/m);
    assert.match(n.out, /^ {4}ipv4-unicast {17}1 {9}1 {10}0$/m);
    const r = await cli(['show', 'routes', '--json', '--status-address', address]);
    assert.equal(r.code, 0);
    const v = JSON.parse(r.out) as RoutesView;
    assert.deepEqual(v.routes.map((x) => [x.prefix, x.paths[0]?.peer, x.paths[0]?.reason]), [['203.0.113.0/24', CLIENT, 'onlyPath']]);
    const c = await cli(['show', 'config', '--status-address', address]);
    assert.match(c.out, /^# source: show\.yml$/m);
  });

  test('errors: refused queries exit 1, bad usage exits 2, an unreachable server exits 1', async () => {
    const d = await cli(['show', 'discovery', '--status-address', address]);
    assert.equal(d.code, 1);
    assert.match(d.err, /no discovery: this process runs from a router config/);
    const q = await cli(['show', 'routes', '--advertised', '--status-address', address]);
    assert.equal(q.code, 1);
    assert.match(q.err, /--advertised needs --peer/);
    assert.equal((await cli(['show', 'routes', '--bogus'])).code, 2);
    assert.equal((await cli(['show', 'summary', 'extra'])).code, 2);
    const u = await cli(['show', 'summary', '--status-address', '127.0.0.1:1']);
    assert.equal(u.code, 1);
    assert.match(u.err, /cannot reach the meshrr status API at http:\/\/127\.0\.0\.1:1/);
    assert.equal((await cli(['dump', 'rib'])).code, 2);
  });

  test('dump rib --mrt writes a TABLE_DUMP_V2 file', async () => {
    const file = join(tmp.path, 'rib.mrt');
    const r = await cli(['dump', 'rib', '--mrt', file, '--status-address', address]);
    assert.equal(r.code, 0, r.err);
    const b = await readFile(file);
    assert.equal(b.readUInt16BE(4), 13, 'TABLE_DUMP_V2');
    assert.equal(b.readUInt16BE(6), 1, 'PEER_INDEX_TABLE first');
    const second = 12 + b.readUInt32BE(8);
    assert.equal(b.readUInt16BE(second + 6), 2, 'then RIB_IPV4_UNICAST');
  });
});
