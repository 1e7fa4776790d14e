/**
 * PrefixTable (src/rib/prefix-table.ts): prefix → dense id over typed arrays, checked
 * against a Map model through growth, removal, id recycling and tombstone clean-up, for IPv4
 * and IPv6, with bits past the length masked (RFC 4271 §4.3).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PrefixTable } from '../../src/rib/prefix-table.js';
import { grownCapacity } from '../../src/rib/large-arrays.js';

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function octets(words: 1 | 4, r: () => number, bits: number): Buffer {
  const b = Buffer.alloc(words * 4);
  for (let w = 0; w < words; w++) b.writeUInt32BE(r(), w * 4);
  return b.subarray(0, (bits + 7) >> 3);
}

function canonical(bits: number, b: Buffer): string {
  const c = Buffer.from(b);
  if (bits % 8 !== 0 && c.length > 0) c[c.length - 1] = (c[c.length - 1] as number) & (0xff << (8 - (bits % 8)));
  return `${bits}:${c.toString('hex')}`;
}

describe('rib: prefix table', () => {
  for (const words of [1, 4] as const) {
    it(`matches a Map model through growth, removal and reuse (${words === 1 ? 'IPv4' : 'IPv6'})`, () => {
      const t = new PrefixTable(words, 16);
      const model = new Map<string, number>();
      const r = rng(words === 1 ? 7 : 11);
      const maxBits = words * 32;
      const live: { bits: number; bytes: Buffer }[] = [];
      for (let step = 0; step < 60000; step++) {
        const op = r() % 10;
        if (op < 7 || live.length === 0) {
          // Few lengths and a narrow address space, so that duplicates and same-address,
          // different-length keys occur.
          const bits = [0, 8, 16, 17, 23, 24, 32, maxBits][r() % 8] as number;
          const bytes = octets(words, () => (r() & 0xff0f0000) >>> 0, bits);
          const key = canonical(bits, bytes);
          const id = t.intern(bits, bytes, 0);
          const known = model.get(key);
          if (known !== undefined) assert.equal(id, known);
          else {
            for (const v of model.values()) assert.notEqual(v, id);
            model.set(key, id);
            live.push({ bits, bytes });
          }
        } else {
          const i = r() % live.length;
          const { bits, bytes } = live[i] as { bits: number; bytes: Buffer };
          live[i] = live[live.length - 1] as { bits: number; bytes: Buffer };
          live.pop();
          const key = canonical(bits, bytes);
          const id = model.get(key) as number;
          assert.equal(t.get(bits, bytes, 0), id);
          t.remove(id);
          assert.equal(t.has(id), false);
          assert.equal(t.get(bits, bytes, 0), -1);
          model.delete(key);
        }
      }
      assert.equal(t.size, model.size);
      for (const { bits, bytes } of live) {
        const id = t.get(bits, bytes, 0);
        assert.equal(id, model.get(canonical(bits, bytes)));
        const out = Buffer.alloc(1 + bytes.length);
        assert.equal(t.writeNlri(id, out, 0), out.length);
        assert.equal(t.nlriLength(id), out.length);
        assert.equal(canonical(out[0] as number, out.subarray(1)), canonical(bits, bytes));
        assert.equal(t.lookupNlri(out, 0, out.length), id);
      }
    });
  }

  it('masks bits past the prefix length', () => {
    const t = new PrefixTable(1);
    const a = t.intern(20, Buffer.from([10, 1, 0x1f]), 0);
    assert.equal(t.get(20, Buffer.from([10, 1, 0x10]), 0), a);
    const out = Buffer.alloc(4);
    t.writeNlri(a, out, 0);
    assert.deepEqual([...out], [20, 10, 1, 0x10]);
    assert.notEqual(t.intern(24, Buffer.from([10, 1, 0x10]), 0), a, 'same octets, other length');
  });

  it('grows geometrically', () => {
    assert.equal(grownCapacity(1024, 1025), 4096);
    assert.equal(grownCapacity(1 << 20, (1 << 20) + 1), 1 << 21);
    const t = new PrefixTable(1, 16);
    const b = Buffer.alloc(4);
    for (let i = 0; i < 200000; i++) {
      b.writeUInt32BE(i << 8);
      assert.equal(t.intern(24, b, 0), i);
    }
    assert.equal(t.size, 200000);
    assert.equal(t.idLimit, 200000);
    assert.ok(t.idCapacity >= 200000 && t.idCapacity <= 4 * 200000);
  });
});
