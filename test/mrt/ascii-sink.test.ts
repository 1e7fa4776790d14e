/**
 * Byte-level text output (src/mrt/ascii-sink.ts): decimal and address writers against
 * String()/template output, IPv4 NLRI lines, and buffer hand-out and reuse.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AsciiSink, LineScratch } from '../../src/mrt/ascii-sink.js';

describe('ByteWriter', () => {
  it('writes unsigned, signed and padded decimals like String()', () => {
    const w = new LineScratch();
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0, 255, 256, 999, 1000, 999999, 1000000, 999999999, 1000000000, 4294967295)), (v) => {
        w.reset().dec32(v);
        assert.equal(w.toString(), String(v));
        w.reset().decSigned32(v);
        assert.equal(w.toString(), String(v | 0));
        w.reset().decPadded(v % 1000000, 6);
        assert.equal(w.toString(), String(v % 1000000).padStart(6, '0'));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes dotted quads and truncates a scratch', () => {
    const w = new LineScratch();
    w.ipv4(0xc0000201);
    const at = w.written;
    w.ascii('|junk');
    w.truncate(at);
    assert.equal(w.toString(), '192.0.2.1');
    assert.deepEqual([...w.view()], [...Buffer.from('192.0.2.1')]);
  });
});

describe('AsciiSink', () => {
  it('writes one line per IPv4 prefix, masking bits past the length', () => {
    const s = new AsciiSink(64);
    const nlri = Buffer.from([24, 10, 1, 2, 13, 11, 13, 0, 32, 1, 2, 3, 4]);
    assert.equal(s.ipv4Lines(Buffer.from('A|'), nlri, false, Buffer.from('|x\n')), 4);
    assert.equal(s.takeText(), 'A|10.1.2.0/24|x\nA|11.8.0.0/13|x\nA|0.0.0.0/0|x\nA|1.2.3.4/32|x\n');
    const ap = Buffer.from([0, 0, 0, 7, 8, 10, 0xff, 0xff, 0xff, 0xff, 16, 1, 2]);
    assert.equal(s.ipv4Lines(Buffer.from('W|'), ap, true, Buffer.from('\n')), 2);
    assert.equal(s.takeText(), 'W|10.0.0.0/8|7\nW|1.2.0.0/16|4294967295\n');
    // A cut prefix ends the field.
    assert.equal(s.ipv4Lines(Buffer.from(''), Buffer.from([24, 10, 1]), false, Buffer.from('\n')), 0);
  });

  it('hands out full buffers in order and reuses recycled ones', () => {
    const s = new AsciiSink(16);
    for (let i = 0; i < 10; i++) s.ascii(`line ${i}\n`);
    assert.equal(s.length, 70);
    const parts = s.take();
    assert.equal(Buffer.concat(parts).toString(), Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
    for (const p of parts) s.recycle(p);
    s.ascii('again\n');
    assert.equal(s.takeText(), 'again\n');
  });
});
