/**
 * Column text of `bgpdump -m` (src/mrt/bgpdump-text.ts): bgpdump's own IPv6 formatter cases
 * (its `-T` self-test list), AS path text and its 7900-character cut, community names and
 * the 8 KiB buffer, and bgpdump's AS4_PATH / AS4_AGGREGATOR merge. The end-to-end checks
 * against the real bgpdump are in bgpdump.test.ts and bgpdump-diff.test.ts.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { asPathText, bgpdumpAs4Merge, communitiesText, ipv6At, lenientAsPath, originText, prefixText } from '../../src/mrt/bgpdump-text.js';
import { parseIpv6 } from '../../src/wire/nlri.js';

const v6 = (s: string): string => ipv6At(parseIpv6(s) ?? assert.fail(s), 0);

describe('bgpdump text', () => {
  it('formats IPv6 like bgpdump (mapped/compatible dotted, single zero word compressed)', () => {
    for (const s of ['fe80::', '2001:db8::1', '::ffff:192.168.2.1', '::192.168.1.2', '2001:7f8:30::2:1:0:8447', '::', '::1']) assert.equal(v6(s), s);
    assert.equal(v6('2001:db8:0:1:2:3:4:5'), '2001:db8::1:2:3:4:5');
    assert.equal(v6('2001:0:0:1:0:0:0:5'), '2001:0:0:1::5');
    assert.equal(v6('::2'), '::0.0.0.2');
  });

  it('masks prefixes', () => {
    assert.equal(prefixText(1, 13, Buffer.from([11, 13]), 0), '11.8.0.0/13');
    assert.equal(prefixText(2, 33, Buffer.from('20010db8ff', 'hex'), 0), '2001:db8:8000::/33');
    assert.equal(prefixText(1, 0, Buffer.alloc(0), 0), '0.0.0.0/0');
  });

  it('writes AS paths with sets, confederations and empty segments', () => {
    assert.equal(asPathText([{ type: 2, asns: [1, 2] }, { type: 1, asns: [3, 4] }]), '1 2 {3,4}');
    assert.equal(asPathText([{ type: 3, asns: [5, 6] }, { type: 4, asns: [7] }, { type: 2, asns: [8] }]), '(5 6) [7] 8');
    assert.equal(asPathText([{ type: 2, asns: [] }, { type: 1, asns: [9] }]), '{9}');
    assert.equal(asPathText([]), '');
    const long = asPathText([{ type: 1, asns: Array.from({ length: 900 }, () => 4200000000) }]);
    assert.ok(long.endsWith('...') && !long.includes('}'));
    assert.equal(long.length, 7909 + 3);
  });

  it('reads AS paths leniently, as bgpdump does', () => {
    assert.deepEqual(lenientAsPath(Buffer.from('0200020200010002', 'hex'), 2), [
      { type: 2, asns: [] },
      { type: 2, asns: [1, 2] },
    ]);
    assert.equal(lenientAsPath(Buffer.from('0501000a', 'hex'), 2), null);
    assert.equal(lenientAsPath(Buffer.from('0203000a', 'hex'), 2), null);
  });

  it('names communities like bgpdump and stops at its 8 KiB buffer', () => {
    assert.equal(communitiesText([0xffffff01, 0xffffff02, 0xffffff03, 0xffff0000, 0x00010002]), 'no-export no-advertise local-AS 65535:0 1:2');
    const many = communitiesText(Array.from({ length: 1000 }, () => 0xfffefffe));
    assert.equal(many.length, 8190);
  });

  it('describes ORIGIN', () => {
    assert.deepEqual([0, 1, 2, 3, -1].map(originText), ['IGP', 'EGP', 'INCOMPLETE', 'INCOMPLETE', 'INCOMPLETE']);
  });

  it('merges AS4_PATH the way bgpdump 1.6.2 does', () => {
    const as4 = [{ type: 2, asns: [4200000001, 4200000002] }];
    // Plain case: leading ASes of AS_PATH, then AS4_PATH.
    assert.deepEqual(bgpdumpAs4Merge([{ type: 2, asns: [10, 20, 23456, 23456] }], as4, null, null).asPath, [{ type: 2, asns: [10, 20] }, ...as4]);
    // AS4_PATH longer than AS_PATH: ignored.
    assert.deepEqual(bgpdumpAs4Merge([{ type: 2, asns: [23456] }], as4, null, null).asPath, [{ type: 2, asns: [23456] }]);
    // bgpdump repeats the first segment instead of moving on.
    const two = [{ type: 2, asns: [1] }, { type: 2, asns: [2, 3, 23456, 23456] }];
    assert.deepEqual(bgpdumpAs4Merge(two, as4, null, null).asPath, [{ type: 2, asns: [1] }, { type: 2, asns: [1] }, { type: 2, asns: [1] }, ...as4]);
    // An empty first segment leaves no path at all.
    assert.equal(bgpdumpAs4Merge([{ type: 2, asns: [] }, { type: 2, asns: [1, 2, 3] }], as4, null, null).asPath, null);
    // AGGREGATOR not AS_TRANS with AS4_AGGREGATOR present: nothing is merged.
    const agg = { asn: 65001, address: 1 };
    const agg4 = { asn: 4200000001, address: 2 };
    const r = bgpdumpAs4Merge([{ type: 2, asns: [10, 20, 23456, 23456] }], as4, agg, agg4);
    assert.deepEqual(r, { asPath: [{ type: 2, asns: [10, 20, 23456, 23456] }], aggregator: agg });
    assert.deepEqual(bgpdumpAs4Merge(null, null, { asn: 23456, address: 1 }, agg4).aggregator, agg4);
  });
});
