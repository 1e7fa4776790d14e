/**
 * TABLE_DUMP_V2 writer (src/mrt/writer.ts): a table written by us is read back by our reader
 * and by the real `bgpdump -m` (Debian 1.6.2), and both readings must agree with what was
 * written. A real RouteViews RIB (pyasn, 270,005 entries) is re-written from its decoded
 * form and must read back identically under bgpdump.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { finished } from 'node:stream/promises';
import type { PathAttribute } from '../../src/wire/attribute-types.js';
import { parseIpv6, parsePrefix } from '../../src/wire/nlri.js';
import { encodePeerIndexTable, encodeRibRecord, TableDumpV2Writer, type PeerInput, type RibEntryInput } from '../../src/mrt/writer.js';
import { readMrt, readRawBatches } from '../../src/mrt/reader.js';
import { ribAttributes } from '../../src/mrt/table-dump-v2.js';
import { BgpdumpFormatter } from '../../src/mrt/bgpdump-format.js';
import type { MrtRecord } from '../../src/mrt/records.js';

const BGPDUMP = '/usr/bin/bgpdump';
const DATA = fileURLToPath(new URL('../../../shared/data/mrt/', import.meta.url));

function data(rel: string): string {
  const p = join(DATA, rel);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (expected the shared data next to the repository)`);
  return p;
}

function bgpdump(path: string): string {
  assert.ok(existsSync(BGPDUMP), `${BGPDUMP} missing: install the Debian package bgpdump (.ci/run does)`);
  const r = spawnSync(BGPDUMP, ['-m', path], { encoding: 'latin1', maxBuffer: 1 << 30 });
  assert.equal(r.error, undefined);
  return r.stdout;
}

async function ours(path: string): Promise<string> {
  const fmt = new BgpdumpFormatter();
  for await (const r of readMrt(path)) fmt.add(r);
  return fmt.takeText();
}

const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));
const ip6 = (s: string): Buffer => parseIpv6(s) ?? assert.fail(`bad IPv6 ${s}`);
const num4 = (s: string): number => ip4(s).readUInt32BE(0);

const peers: PeerInput[] = [
  { bgpId: num4('192.0.2.1'), address: ip4('192.0.2.1'), peerAs: 64500 },
  { bgpId: num4('192.0.2.2'), address: ip4('198.51.100.2'), peerAs: 4200000001 },
  { bgpId: num4('192.0.2.3'), address: ip6('2001:db8::3'), peerAs: 65550 },
];

const base = (path: PathAttribute['value'] & object, nh: string | null, extra: PathAttribute[] = []): PathAttribute[] => [
  { kind: 'origin', code: 1, flags: 0x40, value: 0 },
  { kind: 'asPath', code: 2, flags: 0x40, value: path as never },
  ...(nh === null ? [] : [{ kind: 'nextHop', code: 3, flags: 0x40, value: num4(nh) } as PathAttribute]),
  ...extra,
];

const v6reach = (nh: Buffer): PathAttribute => ({
  kind: 'mpReach',
  code: 14,
  flags: 0x80,
  value: { afi: 2, safi: 1, nextHop: nh, reserved: Buffer.from([0]), nlri: { afi: 2, safi: 1, addPath: false, bytes: Buffer.from('202001', 'hex') } },
});

const routes: { prefix: string; entries: RibEntryInput[] }[] = [
  {
    prefix: '10.0.0.0/8',
    entries: [
      {
        peerIndex: 0,
        originatedTime: 1700000001,
        attributes: base([{ type: 2, asns: [64500, 3356, 4200000001] }, { type: 1, asns: [65001, 65002] }], '192.0.2.1', [
          { kind: 'med', code: 4, flags: 0x80, value: 50 },
          { kind: 'localPref', code: 5, flags: 0x40, value: 200 },
          { kind: 'atomicAggregate', code: 6, flags: 0x40, value: null },
          { kind: 'aggregator', code: 7, flags: 0xc0, value: { asn: 4200000001, address: num4('10.1.1.1') } },
          { kind: 'communities', code: 8, flags: 0xc0, value: [0xffffff01, ((64500 << 16) | 100) >>> 0] },
        ]),
      },
      { peerIndex: 1, originatedTime: 1700000002, attributes: base([{ type: 2, asns: [4200000001] }], '198.51.100.2') },
    ],
  },
  { prefix: '192.0.2.128/25', entries: [{ peerIndex: 1, originatedTime: 1700000003, attributes: base([], '198.51.100.2') }] },
  {
    prefix: '2001:db8::/32',
    entries: [
      { peerIndex: 2, originatedTime: 1700000004, attributes: base([{ type: 2, asns: [65550, 3] }], null, [v6reach(ip6('2001:db8::3'))]) },
      { peerIndex: 2, originatedTime: 1700000005, attributes: base([{ type: 2, asns: [65550] }], null, [v6reach(Buffer.concat([ip6('2001:db8::3'), ip6('fe80::3')]))]) },
    ],
  },
  {
    prefix: '203.0.113.0/24',
    entries: [
      { peerIndex: 0, originatedTime: 1700000006, pathId: 7, attributes: base([{ type: 2, asns: [64500] }], '192.0.2.1') },
      { peerIndex: 0, originatedTime: 1700000007, pathId: 9, attributes: base([{ type: 2, asns: [64500, 64501] }], '192.0.2.1') },
    ],
  },
];

describe('TableDumpV2Writer', () => {
  const dir = mkdtemp(join(tmpdir(), 'meshrr-writer-'));
  after(async () => rm(await dir, { recursive: true, force: true }));

  it('writes a table that our reader and bgpdump -m read back as written', async () => {
    const path = join(await dir, 'rib.mrt');
    const out = createWriteStream(path);
    const w = new TableDumpV2Writer(out, { timestamp: 1700000100, collectorBgpId: num4('192.0.2.254'), viewName: 'meshrr' });
    await w.writePeers(peers);
    for (const r of routes) {
      const p = parsePrefix(r.prefix) ?? assert.fail(r.prefix);
      await w.writeRib(p.afi, p.bits, p.octets, r.entries);
    }
    out.end();
    await finished(out);

    const records: MrtRecord[] = [];
    for await (const r of readMrt(path)) records.push(r);
    assert.deepEqual(
      records.map((r) => `${r.kind} ${r.header.subtype} ${r.header.timestamp}`),
      ['peerIndexTable 1 1700000100', 'rib 2 1700000100', 'rib 2 1700000100', 'rib 4 1700000100', 'rib 8 1700000100'],
    );
    const pit = records[0];
    assert.ok(pit?.kind === 'peerIndexTable');
    assert.equal(pit.viewName, 'meshrr');
    assert.deepEqual(
      pit.peers.map((p) => [p.bgpId, p.address.toString('hex'), p.peerAs]),
      peers.map((p) => [p.bgpId, p.address.toString('hex'), p.peerAs]),
    );
    records.slice(1).forEach((r, i) => {
      assert.ok(r.kind === 'rib');
      assert.equal(r.sequence, i);
      const want = routes[i] ?? assert.fail();
      r.entries.forEach((e, j) => {
        const we = want.entries[j] ?? assert.fail();
        assert.deepEqual([e.peerIndex, e.originatedTime, e.pathId], [we.peerIndex, we.originatedTime, we.pathId ?? null]);
        const dec = ribAttributes(e.attributes);
        assert.ok(dec.ok);
        const plain = (l: readonly PathAttribute[]) => l.filter((a) => a.kind !== 'mpReach');
        assert.deepEqual(plain(dec.attributes), plain(we.attributes));
        const reach = dec.attributes.find((a) => a.kind === 'mpReach');
        const wantReach = we.attributes.find((a) => a.kind === 'mpReach');
        if (wantReach?.kind === 'mpReach') {
          assert.ok(reach?.kind === 'mpReach');
          assert.ok(reach.value.nextHop.equals(wantReach.value.nextHop));
          assert.equal(reach.value.nlri.bytes.length, 0, 'the RIB form carries no NLRI (RFC 6396 §4.3.4)');
        }
      });
    });

    const expected = [
      'TABLE_DUMP2|1700000100|B|192.0.2.1|64500|10.0.0.0/8|64500 3356 4200000001 {65001,65002}|IGP|192.0.2.1|200|50|no-export 64500:100|AG|4200000001 10.1.1.1|',
      'TABLE_DUMP2|1700000100|B|198.51.100.2|4200000001|10.0.0.0/8|4200000001|IGP|198.51.100.2|0|0||NAG||',
      'TABLE_DUMP2|1700000100|B|198.51.100.2|4200000001|192.0.2.128/25||IGP|198.51.100.2|0|0||NAG||',
      'TABLE_DUMP2|1700000100|B|2001:db8::3|65550|2001:db8::/32|65550 3|IGP|2001:db8::3|0|0||NAG||',
      'TABLE_DUMP2|1700000100|B|2001:db8::3|65550|2001:db8::/32|65550|IGP|2001:db8::3|0|0||NAG||',
      'TABLE_DUMP2_AP|1700000100|B|192.0.2.1|64500|203.0.113.0/24|7|64500|IGP|192.0.2.1|0|0||NAG||',
      'TABLE_DUMP2_AP|1700000100|B|192.0.2.1|64500|203.0.113.0/24|9|64500 64501|IGP|192.0.2.1|0|0||NAG||',
      '',
    ].join('\n');
    assert.equal(bgpdump(path), expected);
    assert.equal(await ours(path), expected);
  });

  it('re-writes a real RouteViews RIB so that bgpdump reads it identically', async () => {
    const src = data('pyasn/rib.20140523.0600_firstMB.bz2');
    const path = join(await dir, 'rewritten.mrt');
    const out = createWriteStream(path);
    let w: TableDumpV2Writer | null = null;
    try {
      for await (const r of readMrt(src)) {
        if (r.kind === 'peerIndexTable') {
          w = new TableDumpV2Writer(out, { timestamp: r.header.timestamp, collectorBgpId: r.collectorBgpId, viewName: r.viewName });
          await w.writePeers(r.peers.map((p) => ({ bgpId: p.bgpId, address: p.address, peerAs: p.peerAs })));
        } else if (r.kind === 'rib' && w !== null) {
          const entries = r.entries.map((e) => {
            const dec = ribAttributes(e.attributes);
            assert.ok(dec.ok);
            return { peerIndex: e.peerIndex, originatedTime: e.originatedTime, attributes: dec.attributes };
          });
          await w.writeRib(r.afi, r.prefixLength, r.prefix, entries);
        }
      }
      assert.fail('the source file is torn: the reader must end with an error');
    } catch (e) {
      assert.equal((e as { code?: unknown }).code, 'MESHRR_MRT_TORN_RECORD');
    }
    out.end();
    await finished(out);
    const original = bgpdump(src);
    const again = bgpdump(path);
    assert.equal(again.split('\n').length, 270006);
    assert.equal(again, original);
    // Every RIB record is byte-identical to the source's (the peer index table may differ:
    // we always write 4-octet peer AS numbers).
    const rewritten: Buffer[] = [];
    for await (const batch of readRawBatches(path)) for (const r of batch) if (r.header.subtype !== 1) rewritten.push(Buffer.from(r.body));
    let i = 0;
    try {
      for await (const batch of readRawBatches(src)) {
        for (const r of batch) {
          if (r.header.subtype === 1) continue;
          assert.ok(r.body.equals(rewritten[i] ?? Buffer.alloc(0)), `RIB record ${i} at ${r.header.offset} differs`);
          i++;
        }
      }
    } catch (e) {
      assert.equal((e as { code?: unknown }).code, 'MESHRR_MRT_TORN_RECORD');
    }
    assert.equal(i, 9072);
    assert.equal(rewritten.length, 9072);
  });

  it('encoders reject what does not fit the format', () => {
    assert.throws(() => encodeRibRecord(0, 0, 3, 8, Buffer.from([10]), []), RangeError);
    assert.throws(() => encodeRibRecord(0, 0, 1, 33, Buffer.alloc(5), []), RangeError);
    assert.throws(() => encodePeerIndexTable(0, 0, '', [{ bgpId: 0, address: Buffer.alloc(5), peerAs: 1 }]), RangeError);
  });
});
