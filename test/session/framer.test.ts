/** The framer cuts a byte stream into messages however the stream is chunked. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageFramer } from '../../src/session/framer.js';
import { hex } from '../helpers/bytes.js';

const M = 'ffffffffffffffffffffffffffffffff';
const KEEPALIVE = hex(`${M} 0013 04`);
const EOR = hex(`${M} 0017 02 0000 0000`);
const NOTIF = hex(`${M} 0015 03 06 02`);

function drain(f: MessageFramer): Buffer[] {
  const out: Buffer[] = [];
  for (;;) {
    const fr = f.next();
    if (fr.kind !== 'message') return out;
    out.push(Buffer.from(fr.msg));
  }
}

describe('MessageFramer', () => {
  it('returns every message for any chunking of the stream (property)', () => {
    const stream = Buffer.concat([KEEPALIVE, EOR, NOTIF, KEEPALIVE, EOR]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const f = new MessageFramer(4096);
        const got: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          f.push(stream.subarray(prev, p));
          got.push(...drain(f));
          prev = p;
        }
        assert.deepEqual(Buffer.concat(got), stream);
        assert.equal(got.length, 5);
        assert.equal(f.buffered, 0);
      }),
      { seed: 4271, numRuns: 300 },
    );
  });

  it('reports a bad marker as soon as the header is in, and stays failed', () => {
    const f = new MessageFramer(4096);
    f.push(hex(`${M.slice(0, 30)}00 0013 04`));
    const fr = f.next();
    assert.equal(fr.kind, 'error');
    if (fr.kind === 'error') assert.deepEqual([fr.error.notification.code, fr.error.notification.subcode], [1, 1]);
    f.push(KEEPALIVE);
    assert.equal(f.next().kind, 'error');
  });

  it('rejects a length over the negotiated maximum without waiting for the body', () => {
    const f = new MessageFramer(4096);
    f.push(hex(`${M} 2000 02`));
    const fr = f.next();
    assert.equal(fr.kind, 'error');
    const g = new MessageFramer(4096);
    g.setMaxLength(65535);
    g.push(hex(`${M} 2000 02`));
    assert.equal(g.next().kind, 'need');
  });
});
