/**
 * The BMP exporter (RFC 7854) end to end, in process on loopback addresses: meshrr's
 * RouteReflector with a raw BGP client (test/interop/helpers-raw.ts), a small collector in
 * the test that frames the BMP stream, and tshark capturing the collector port and
 * decoding it with Wireshark's own BMP dissector (`-d tcp.port==N,bmp`).
 * Checked, in order:
 * 1. Initiation carries sysDescr and sysName;
 * 2. Peer Up when the client's session comes up, with its address, AS and both OPENs;
 * 3. Route Monitoring carrying the client's UPDATE (its prefixes decode back);
 * 4. after the collector drops the connection, a reconnect gets the full resync: Initiation,
 *    Peer Up, one Route Monitoring per route from the RIB, End-of-RIB;
 * 5. Peer Down (reason 3, remote NOTIFICATION, the PDU inside) when the client sends Cease;
 * 6. Termination on stop.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { RouteReflector } from '../../src/rr/route-reflector.js';
import { BmpExporter } from '../../src/bmp/exporter.js';
import { BMP_TYPE } from '../../src/bmp/encode.js';
import { RouterMetrics } from '../../src/status/metrics.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { AS4_CTX } from '../../src/wire/context.js';
import { decodeUpdate } from '../../src/wire/update.js';
import { encodeUpdate, makeUpdate } from '../../src/wire/update.js';
import { encodeNotification } from '../../src/wire/notification.js';
import { encodePrefixes, listPrefixes } from '../../src/wire/nlri.js';
import { FLAG } from '../../src/wire/iana.js';
import { RawPeer } from '../interop/helpers-raw.js';
import { run } from '../helpers/netns.js';
import { pollUntil } from '../helpers/poll.js';
import { makeTmpDir, type TmpDir } from '../helpers/tmp.js';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PollAbort } from '../helpers/poll.js';
import type { Capture } from '../topo/helpers-tshark.js';

const RR = '127.0.74.1';
const CLIENT = '127.0.74.10';
const COLLECTOR = '127.0.74.2';
const BGP_PORT = 17974;

interface BmpMsg {
  readonly type: number;
  readonly body: Buffer;
}

/** A BMP collector: frames the stream by the common header's length (RFC 7854 §4.1). */
class Collector {
  readonly messages: BmpMsg[] = [];
  readonly server: Server;
  private sock: Socket | null = null;
  connections = 0;

  constructor() {
    this.server = createServer((s) => {
      this.connections++;
      this.sock = s;
      let buf = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 6 && buf.length >= buf.readUInt32BE(1)) {
          const len = buf.readUInt32BE(1);
          assert.equal(buf[0], 3, 'BMP version 3');
          this.messages.push({ type: buf[5] as number, body: buf.subarray(6, len) });
          buf = buf.subarray(len);
        }
      });
      s.on('error', () => undefined);
    });
  }

  async listen(): Promise<number> {
    this.server.listen({ host: COLLECTOR, port: 0 });
    await once(this.server, 'listening');
    const a = this.server.address();
    if (typeof a !== 'object' || a === null) throw new Error('collector address');
    return a.port;
  }

  dropConnection(): void {
    this.sock?.destroy();
  }

  /** Wait for a message of `type` after index `from`; returns it and its index. */
  async next(type: number, from: number, what: string): Promise<{ msg: BmpMsg; index: number }> {
    return pollUntil(
      () => {
        const i = this.messages.findIndex((m, j) => j >= from && m.type === type);
        return i < 0 ? undefined : { msg: this.messages[i] as BmpMsg, index: i };
      },
      { what, timeoutMs: 15_000, intervalMs: 20 },
    );
  }
}

/** tshark on this namespace's `lo` (root's own, the test runs no namespace), like helpers-tshark's startCapture. */
async function captureLoopback(file: string, filter: string, logFile: string): Promise<Capture> {
  const fd = openSync(logFile, 'a');
  const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ?? String(code);
  });
  await pollUntil(
    async () => {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (exited !== undefined) throw new PollAbort(`tshark exited (${exited}): ${log}`);
      return log.includes('Capturing on');
    },
    { what: 'tshark capturing', timeoutMs: 20_000 },
  );
  return {
    file,
    async stop() {
      if (exited !== undefined) return;
      const done = once(child, 'exit');
      child.kill('SIGINT');
      await done;
    },
  };
}

/** The BGP PDU after the per-peer header (42 octets). */
const pdu = (m: BmpMsg, extra = 0): Buffer => m.body.subarray(42 + extra);
const peerAddress = (m: BmpMsg): string => [...m.body.subarray(22, 26)].join('.');

function tlvStrings(body: Buffer): Map<number, string> {
  const out = new Map<number, string>();
  for (let o = 0; o + 4 <= body.length; ) {
    const t = body.readUInt16BE(o);
    const l = body.readUInt16BE(o + 2);
    out.set(t, body.subarray(o + 4, o + 4 + l).toString('utf8'));
    o += 4 + l;
  }
  return out;
}

const UPDATE = encodeUpdate(
  makeUpdate({
    attributes: [
      { kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: 0 },
      { kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: [] },
      { kind: 'nextHop', code: 3, flags: FLAG.TRANSITIVE, value: 0x7f004a0a },
      { kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: 100 },
      { kind: 'communities', code: 8, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: [(65000 << 16) | 101] },
    ],
    nlri: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes([{ prefix: '203.0.113.0/24' }, { prefix: '198.51.100.0/25' }], false) },
  }),
  AS4_CTX,
);

function prefixesOf(update: Buffer): string[] {
  const d = decodeUpdate(update.subarray(19), AS4_CTX);
  assert.ok(d.ok, 'UPDATE decodes');
  return listPrefixes(d.update.nlri).map((p) => p.prefix).sort();
}

describe('BMP exporter', { timeout: 120_000 }, () => {
  let rr: RouteReflector;
  let collector: Collector;
  let exporter: BmpExporter;
  let peer: RawPeer | undefined;
  let capture: Capture | undefined;
  let tmp: TmpDir;
  let port = 0;

  before(async () => {
    tmp = await makeTmpDir('bmp');
    collector = new Collector();
    port = await collector.listen();
    // Root's own loopback: no namespace needed for 127/8, only root for the capture.
    capture = await captureLoopback(join(tmp.path, 'bmp.pcapng'), `tcp port ${port}`, join(tmp.path, 'tshark.log'));
    const config = JSON.stringify({ routerId: RR, asn: 65000, hostname: 'bmp-test', listen: [{ address: RR, port: BGP_PORT }], groups: [{ name: 'clients', role: 'client', listenRanges: ['127.0.74.0/24'] }] });
    rr = new RouteReflector({ config: parseRouterConfig(config, 'bmp.yml'), log: pino({ level: 'silent' }) });
    await rr.start();
    exporter = new BmpExporter({ rr, host: COLLECTOR, port, log: pino({ level: 'silent' }), sysName: 'bmp-test', sysDescr: 'meshrr test', reconnectMinMs: 100, reconnectMaxMs: 500 });
    exporter.start();
  });

  after(async () => {
    peer?.destroy();
    await exporter.stop();
    await rr.stop('test over');
    collector.server.close();
    await capture?.stop();
    await tmp.cleanup({ failed: false });
  });

  test('initiation, peer up, route monitoring, resync, peer down, termination', async () => {
    const init = await collector.next(BMP_TYPE.INITIATION, 0, 'Initiation');
    const info = tlvStrings(init.msg.body);
    assert.equal(info.get(1), 'meshrr test');
    assert.equal(info.get(2), 'bmp-test');

    peer = await RawPeer.connect({ host: RR, port: BGP_PORT, localAddress: CLIENT });
    await peer.establish(0x7f004a0a);
    const up = await collector.next(BMP_TYPE.PEER_UP, init.index, 'Peer Up');
    assert.equal(peerAddress(up.msg), CLIENT);
    assert.equal(up.msg.body.readUInt32BE(26), 65000, 'peer AS');
    // Local address (IPv4 in the last 4 of 16), ports, then the sent OPEN: BGP marker and type 1.
    assert.equal([...up.msg.body.subarray(42 + 12, 42 + 16)].join('.'), RR);
    const sentOpen = pdu(up.msg, 20);
    assert.equal(sentOpen.subarray(0, 16).toString('hex'), 'ff'.repeat(16));
    assert.equal(sentOpen[18], 1);
    const recvOpen = sentOpen.subarray(sentOpen.readUInt16BE(16));
    assert.equal(recvOpen[18], 1);
    assert.equal(recvOpen.readUInt32BE(19 + 5), 0x7f004a0a, 'received OPEN has the peer BGP ID');

    peer.send(UPDATE);
    const rm = await collector.next(BMP_TYPE.ROUTE_MONITORING, up.index, 'Route Monitoring');
    assert.deepEqual(prefixesOf(pdu(rm.msg)), ['198.51.100.0/25', '203.0.113.0/24']);
    const metrics = new RouterMetrics({ rr, defaultMetrics: false });
    metrics.addBmp(exporter);
    const fams = parsePrometheusTextFormat(await metrics.text());
    const value = (name: string): number => Number(fams.find((f) => f.name === name)?.metrics[0]?.value ?? NaN);
    assert.equal(value('meshrr_bmp_collector_up'), 1);
    assert.equal(value('meshrr_bmp_messages_total'), exporter.stats.messages);
    assert.ok(exporter.stats.messages >= 3);
    assert.equal(value('meshrr_bmp_connects_total'), 1);

    // The collector goes away; the reconnect gets the whole Adj-RIB-In again.
    const before = collector.messages.length;
    collector.dropConnection();
    const init2 = await collector.next(BMP_TYPE.INITIATION, before, 'Initiation after reconnect');
    const up2 = await collector.next(BMP_TYPE.PEER_UP, init2.index, 'Peer Up in the resync');
    const dumped = await pollUntil(
      () => {
        const rms = collector.messages.slice(up2.index).filter((m) => m.type === BMP_TYPE.ROUTE_MONITORING);
        return rms.length >= 3 ? rms : undefined;
      },
      { what: 'two routes and End-of-RIB in the resync', timeoutMs: 15_000, intervalMs: 20 },
    );
    assert.deepEqual(dumped.slice(0, 2).flatMap((m) => prefixesOf(pdu(m))).sort(), ['198.51.100.0/25', '203.0.113.0/24']);
    // IPv4 End-of-RIB: an UPDATE of 23 octets (RFC 4724 §2).
    assert.equal(pdu(dumped[2] as BmpMsg).length, 23);
    assert.equal(collector.connections, 2);

    const cease = encodeNotification({ code: 6, subcode: 2, data: Buffer.alloc(0) });
    peer.send(cease);
    const down = await collector.next(BMP_TYPE.PEER_DOWN, up2.index, 'Peer Down');
    assert.equal(down.msg.body[42], 3, 'reason 3: remote system closed with a NOTIFICATION');
    assert.equal(down.msg.body.subarray(43).toString('hex'), cease.toString('hex'));

    await exporter.stop();
    await collector.next(BMP_TYPE.TERMINATION, down.index, 'Termination');
  });

  test('tshark decodes the stream as BMP', async () => {
    const file = join(tmp.path, 'bmp.pcapng');
    const fields = ['-r', file, '-d', `tcp.port==${port},bmp`, '-T', 'fields', '-e', 'bmp.type'];
    // The capture has everything once the Termination's frame is in the file (dumpcap writes as it goes).
    await pollUntil(async () => (await run('tshark', fields, { timeoutMs: 60_000 })).stdout.split(/[\s,]+/).includes('5'), {
      what: 'the Termination in the capture file',
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    await capture?.stop();
    const { stdout } = await run('tshark', ['-r', file, '-d', `tcp.port==${port},bmp`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'bmp.type', '-e', 'bmp.peer.ip.addr', '-e', 'bgp.nlri_prefix', '-e', 'bmp.peer.down.reason'], {
      timeoutMs: 60_000,
    });
    const rows = stdout.split('\n').filter((l) => l.trim() !== '');
    const types = rows.flatMap((l) => (l.split('\t')[0] ?? '').split(',').filter((x) => x !== '').map(Number));
    // Initiation, Peer Up, Route Monitoring; again after the reconnect; Peer Down; Termination.
    assert.deepEqual([...new Set(types)].sort(), [0, 2, 3, 4, 5]);
    assert.equal(types.filter((t) => t === 4).length, 2, 'two Initiations');
    assert.equal(types.filter((t) => t === 5).length, 1, 'one Termination');
    const prefixes = rows.flatMap((l) => (l.split('\t')[2] ?? '').split(',').filter((x) => x !== ''));
    assert.ok(prefixes.includes('203.0.113.0') && prefixes.includes('198.51.100.0'), `prefixes tshark saw: ${prefixes.join(' ')}`);
    assert.ok(rows.some((l) => (l.split('\t')[1] ?? '').includes(CLIENT)), 'peer address decoded');
    assert.ok(rows.some((l) => (l.split('\t')[3] ?? '') === '3'), 'peer down reason 3 decoded');
    const malformed = await run('tshark', ['-r', file, '-d', `tcp.port==${port},bmp`, '-Y', '_ws.malformed || _ws.expert.severity == error'], { timeoutMs: 60_000 });
    assert.equal(malformed.stdout.trim(), '', 'no frame Wireshark finds malformed');
  });
});
