/** AS_PATH codec, decision-process length and the RFC 6793 §4.2.3 AS4_PATH merge. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  asPathLength,
  asPathLengthForDecision,
  asPathToString,
  decodeAsPath,
  encodeAsPathInto,
  mergeAs4Path,
  needsAs4,
} from '../../../src/wire/attrs/as-path.js';
import { isFault } from '../../../src/wire/attrs/fault.js';
import type { AsPath } from '../../../src/wire/attribute-types.js';
import { hex } from '../../helpers/bytes.js';

const SEQ = 2;
const SET = 1;

describe('AS_PATH codec', () => {
  it('decodes sequences and sets in 2- and 4-octet form', () => {
    assert.deepEqual(decodeAsPath(hex('02 02 fde8 fde9 01 02 0001 0002'), 2), [
      { type: SEQ, asns: [65000, 65001] },
      { type: SET, asns: [1, 2] },
    ]);
    assert.deepEqual(decodeAsPath(hex('02 01 00010000'), 4), [{ type: SEQ, asns: [65536] }]);
  });
  it('writes AS_TRANS for 4-octet ASes on a 2-octet encoding (RFC 6793 §4.2.2)', () => {
    const path: AsPath = [{ type: SEQ, asns: [65536, 65000] }];
    const buf = Buffer.alloc(asPathLength(path, 2));
    encodeAsPathInto(path, 2, buf, 0);
    assert.deepEqual(buf, hex('02 02 5ba0 fde8'));
    assert.ok(needsAs4(path));
  });
  it('splits segments longer than 255 ASes', () => {
    const asns = Array.from({ length: 300 }, (_, i) => i + 1);
    const path: AsPath = [{ type: SEQ, asns }];
    const buf = Buffer.alloc(asPathLength(path, 4));
    assert.equal(encodeAsPathInto(path, 4, buf, 0), buf.length);
    const back = decodeAsPath(buf, 4);
    assert.ok(!isFault(back));
    assert.equal(back.length, 2);
    assert.deepEqual(back.flatMap((s) => [...s.asns]), asns);
  });
  it('round-trips random paths (property)', () => {
    const seg = fc.record({
      type: fc.integer({ min: 1, max: 4 }),
      asns: fc.array(fc.integer({ min: 1, max: 0xffffffff }), { minLength: 1, maxLength: 255 }),
    });
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), (path) => {
        const buf = Buffer.alloc(asPathLength(path, 4) + 3);
        assert.equal(encodeAsPathInto(path, 4, buf, 3), buf.length);
        assert.deepEqual(decodeAsPath(buf.subarray(3), 4), path.map((s) => ({ type: s.type, asns: [...s.asns] })));
      }),
      { seed: 6793, numRuns: 300 },
    );
  });
  it('never throws on random bytes and either decodes or faults (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, four) => {
        const r = decodeAsPath(Buffer.from(bytes), four ? 4 : 2);
        if (isFault(r)) assert.equal(r.subcode, 11);
      }),
      { seed: 7606, numRuns: 1000 },
    );
  });
});

describe('decision-process length (RFC 4271 §9.1.2.2, RFC 5065 §5.3)', () => {
  it('counts a set as one and confederation segments as zero', () => {
    const path: AsPath = [
      { type: 3, asns: [64512, 64513] },
      { type: SEQ, asns: [1, 2, 3] },
      { type: SET, asns: [4, 5, 6] },
    ];
    assert.equal(asPathLengthForDecision(path), 4);
    assert.equal(asPathToString(path), '(64512 64513) 1 2 3 {4,5,6}');
  });
});

describe('AS4_PATH merge (RFC 6793 §4.2.3)', () => {
  it('replaces the AS_TRANS tail with the AS4_PATH', () => {
    const asPath: AsPath = [{ type: SEQ, asns: [65000, 23456, 23456, 3356] }];
    const as4: AsPath = [{ type: SEQ, asns: [196608, 196609, 3356] }];
    assert.deepEqual(mergeAs4Path(asPath, as4), [{ type: SEQ, asns: [65000, 196608, 196609, 3356] }]);
  });
  it('ignores an AS4_PATH longer than the AS_PATH', () => {
    const asPath: AsPath = [{ type: SEQ, asns: [23456] }];
    const as4: AsPath = [{ type: SEQ, asns: [196608, 196609] }];
    assert.deepEqual(mergeAs4Path(asPath, as4), asPath);
  });
  it('keeps leading sets and counts them as one', () => {
    const asPath: AsPath = [
      { type: SEQ, asns: [65000] },
      { type: SET, asns: [1, 2] },
      { type: SEQ, asns: [23456] },
    ];
    const as4: AsPath = [{ type: SEQ, asns: [196608] }];
    assert.deepEqual(mergeAs4Path(asPath, as4), [
      { type: SEQ, asns: [65000] },
      { type: SET, asns: [1, 2] },
      { type: SEQ, asns: [196608] },
    ]);
  });
});
