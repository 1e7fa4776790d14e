/**
 * The MRT reader (src/mrt/reader.ts) on the third-party dumps of ../shared/data/mrt
 * (provenance in ../shared/data/SOURCES.md): record counts per type/subtype, every record
 * family, Zebra-shortened records, unknown types, and the torn tails of the truncated pyasn
 * .bz2 files (records first, then an error naming the offset).
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readMrt } from '../../src/mrt/reader.js';
import { MrtError } from '../../src/mrt/errors.js';
import type { MrtRecord } from '../../src/mrt/records.js';
import { ribAttributes } from '../../src/mrt/table-dump-v2.js';
import { bgp4mpCtx, bgpMessageBody, bgpMessageType } from '../../src/mrt/bgp4mp.js';
import { decodeUpdate } from '../../src/wire/update.js';

const DATA = fileURLToPath(new URL('../../../shared/data/mrt/', import.meta.url));

/** Absolute path of a data file; fails loudly when the shared data is missing. */
function data(rel: string): string {
  const p = join(DATA, rel);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (expected the shared data next to the repository)`);
  return p;
}

async function readAll(path: string): Promise<{ records: MrtRecord[]; error: unknown }> {
  const records: MrtRecord[] = [];
  try {
    for await (const r of readMrt(path)) records.push(r);
  } catch (e) {
    return { records, error: e };
  }
  return { records, error: null };
}

function countBy(records: readonly MrtRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const k = `${r.kind} ${r.header.type}/${r.header.subtype}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe('readMrt on real dumps', () => {
  it('BGP4MP_ET (gzip): updates.et-header.2015.gz', async () => {
    const { records, error } = await readAll(data('ripe-bgpdump/test_data/updates.et-header.2015.gz'));
    assert.equal(error, null);
    assert.deepEqual(countBy(records), { 'bgp4mpStateChange 17/5': 4, 'bgp4mpMessage 17/1': 1, 'bgp4mpMessage 17/4': 89681 });
    const first = records[0];
    assert.ok(first?.kind === 'bgp4mpStateChange');
    assert.deepEqual([first.header.timestamp, first.header.microseconds, first.peerAs, first.oldState, first.newState], [1445565678, 509481, 3856, 1, 2]);
    let updates = 0;
    for (const r of records) if (r.kind === 'bgp4mpMessage' && bgpMessageType(r.message) === 2) updates++;
    assert.equal(updates, 89679);
  });

  it('BGP4MP_ET (bzip2): morrowc-mrtparser/updates.20260222.1530.bz2', async () => {
    const { records, error } = await readAll(data('morrowc-mrtparser/updates.20260222.1530.bz2'));
    assert.equal(error, null);
    assert.deepEqual(countBy(records), { 'bgp4mpMessage 17/4': 49220 });
  });

  it('TABLE_DUMP (type 12), both AFIs: openbgpd_rib_table', async () => {
    const { records, error } = await readAll(data('mrtparse-samples/openbgpd_rib_table'));
    assert.equal(error, null);
    assert.deepEqual(countBy(records), { 'tableDump 12/1': 11, 'tableDump 12/2': 20 });
    for (const r of records) {
      assert.ok(r.kind === 'tableDump');
      assert.equal(r.prefix.length, r.afi === 1 ? 4 : 16);
      assert.ok(ribAttributes(r.attributes).ok);
    }
  });

  it('TABLE_DUMP_V2 with RIB_GENERIC: openbgpd_rib_table-v2', async () => {
    const { records, error } = await readAll(data('mrtparse-samples/openbgpd_rib_table-v2'));
    assert.equal(error, null);
    assert.deepEqual(countBy(records), { 'peerIndexTable 13/1': 1, 'rib 13/2': 11, 'rib 13/4': 10, 'ribGeneric 13/6': 2 });
  });

  it('TABLE_DUMP_V2 ADD-PATH subtypes (RFC 8050): bird-mrtdump_rib, bird6-mrtdump_rib', async () => {
    const v4 = await readAll(data('mrtparse-samples/bird-mrtdump_rib'));
    assert.deepEqual(countBy(v4.records), { 'peerIndexTable 13/1': 2, 'rib 13/2': 4, 'rib 13/8': 8 });
    const v6 = await readAll(data('mrtparse-samples/bird6-mrtdump_rib'));
    assert.deepEqual(countBy(v6.records), { 'peerIndexTable 13/1': 2, 'rib 13/4': 2, 'rib 13/10': 5 });
    for (const r of [...v4.records, ...v6.records]) {
      if (r.kind !== 'rib') continue;
      for (const e of r.entries) {
        assert.equal(e.pathId !== null, r.addPath);
        assert.ok(ribAttributes(e.attributes).ok, `attributes of ${r.header.offset}`);
      }
    }
  });

  it('BGP4MP MESSAGE_AS4_ADDPATH (subtype 9): bird-mrtdump_bgp', async () => {
    const { records } = await readAll(data('mrtparse-samples/bird-mrtdump_bgp'));
    const ap = records.filter((r) => r.kind === 'bgp4mpMessage' && r.addPath);
    assert.equal(ap.length, 14);
    for (const r of ap) {
      assert.ok(r.kind === 'bgp4mpMessage');
      if (bgpMessageType(r.message) === 2) assert.ok(decodeUpdate(bgpMessageBody(r.message), bgp4mpCtx(r)).ok);
    }
  });

  it('deprecated BGP4MP_ENTRY records come out raw with a reason: openbgpd_rib_table-mp', async () => {
    const { records, error } = await readAll(data('mrtparse-samples/openbgpd_rib_table-mp'));
    assert.equal(error, null);
    assert.equal(records.length, 31);
    for (const r of records) {
      assert.ok(r.kind === 'raw');
      assert.match(r.reason, /subtype 2 is deprecated/);
    }
  });

  it('Zebra-shortened state changes and OPENs of early RIS: rrc01 2000.11', async () => {
    const { records, error } = await readAll(data('bgpkit-fixtures/ripe/rrc01/2000.11/updates.20001104.0124.gz'));
    assert.equal(error, null);
    assert.deepEqual(countBy(records), { 'bgp4mpMessage 16/1': 922, 'bgp4mpStateChange 16/0': 364 });
    const shortStates = records.filter((r) => r.kind === 'bgp4mpStateChange' && r.zebraShort);
    const shortMsgs = records.filter((r) => r.kind === 'bgp4mpMessage' && r.zebraShort);
    assert.equal(shortStates.length, 42);
    assert.equal(shortMsgs.length, 21);
    for (const r of shortMsgs) {
      assert.ok(r.kind === 'bgp4mpMessage');
      assert.equal(bgpMessageType(r.message), 1, 'a shortened record holds a whole OPEN, marker first');
      assert.equal(r.peerAddress.toString('hex'), '00000000');
    }
  });

  it('Quagga FSM states 7 (Clearing) and 8 (Deleted): rrc15', async () => {
    const { records, error } = await readAll(data('bgpkit-fixtures/ripe/rrc15/2010.02/updates.20100227.1600.gz'));
    assert.equal(error, null);
    const states = records.filter((r) => r.kind === 'bgp4mpStateChange').map((r) => (r.kind === 'bgp4mpStateChange' ? r.newState : 0));
    assert.ok(states.includes(8));
  });
});

describe('torn tails of truncated .bz2 files', () => {
  for (const [file, ribs, entries] of [
    ['pyasn/rib.20140523.0600_firstMB.bz2', 9072, 270005],
    ['pyasn/rib6.20151101.0600_firstMB.bz2', 6870, 149578],
  ] as const) {
    it(`${file}: every whole record, then MESHRR_MRT_TORN_RECORD at the torn one's offset`, async () => {
      const { records, error } = await readAll(data(file));
      assert.equal(records.length, 1 + ribs);
      assert.equal(records[0]?.kind, 'peerIndexTable');
      let n = 0;
      for (const r of records) if (r.kind === 'rib') n += r.entries.length;
      assert.equal(n, entries);
      assert.ok(error instanceof MrtError, `expected an MrtError, got ${String(error)}`);
      assert.equal(error.code, 'MESHRR_MRT_TORN_RECORD');
      const last = records[records.length - 1] as MrtRecord;
      const tornAt = last.header.offset + 12 + last.header.length;
      assert.equal(error.offset, tornAt);
      assert.match(error.message, new RegExp(`torn MRT record at byte offset ${tornAt}:`));
      assert.match(error.message, /bzip2/);
    });
  }
});

describe('unknown and malformed records', () => {
  const dir = mkdtemp(join(tmpdir(), 'meshrr-mrt-'));
  after(async () => rm(await dir, { recursive: true, force: true }));

  it('are yielded raw with a reason, never thrown; plain and gzip read alike', async () => {
    const rec = (type: number, subtype: number, body: Buffer): Buffer => {
      const h = Buffer.alloc(12);
      h.writeUInt32BE(7, 0);
      h.writeUInt16BE(type, 4);
      h.writeUInt16BE(subtype, 6);
      h.writeUInt32BE(body.length, 8);
      return Buffer.concat([h, body]);
    };
    const bytes = Buffer.concat([
      rec(99, 1, Buffer.from('opaque')), // unknown type
      rec(13, 77, Buffer.alloc(3)), // unknown TABLE_DUMP_V2 subtype
      rec(13, 2, Buffer.alloc(3)), // truncated RIB
      rec(16, 4, Buffer.alloc(5)), // truncated BGP4MP message
      rec(17, 4, Buffer.alloc(2)), // ET record without room for its microseconds
    ]);
    const plain = join(await dir, 'x.mrt');
    const gz = join(await dir, 'x.mrt.gz');
    await writeFile(plain, bytes);
    await writeFile(gz, gzipSync(bytes));
    for (const f of [plain, gz]) {
      const { records, error } = await readAll(f);
      assert.equal(error, null);
      assert.deepEqual(
        records.map((r) => r.kind),
        ['raw', 'raw', 'raw', 'raw', 'raw'],
      );
      const reasons = records.map((r) => (r.kind === 'raw' ? r.reason : ''));
      assert.match(reasons[0] ?? '', /type 99/);
      assert.match(reasons[1] ?? '', /subtype 77/);
      assert.match(reasons[2] ?? '', /truncated/);
      assert.match(reasons[3] ?? '', /truncated/);
      assert.match(reasons[4] ?? '', /microsecond/);
    }
  });

  it('reads concatenated bzip2 streams and gzip members in turn', async () => {
    const bz = await readFile(data('bgpkit-fixtures/examples_local_only_updates.bz2'));
    const once = await readAll(data('bgpkit-fixtures/examples_local_only_updates.bz2'));
    assert.equal(once.records.length, 85);
    const twice = join(await dir, 'twice.bz2');
    await writeFile(twice, Buffer.concat([bz, bz]));
    const t = await readAll(twice);
    assert.equal(t.error, null);
    assert.equal(t.records.length, 170);
    const gz = await readFile(data('ripe-bgpdump/test_data/updates.long_withdrawal.gz'));
    const twiceGz = join(await dir, 'twice.gz');
    await writeFile(twiceGz, Buffer.concat([gz, gz]));
    const g = await readAll(twiceGz);
    assert.equal(g.error, null);
    assert.equal(g.records.length, 2);
  });

  it('a missing file is an MESHRR_MRT_IO error', async () => {
    const { error } = await readAll(join(await dir, 'nope.mrt'));
    assert.ok(error instanceof MrtError);
    assert.equal(error.code, 'MESHRR_MRT_IO');
  });
});
