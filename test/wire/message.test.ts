/** The whole-message dispatcher: each type decodes and re-encodes; framing errors become NOTIFICATION fields. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { AS4_CTX, makeCtx } from '../../src/wire/context.js';
import { hex } from '../helpers/bytes.js';

const MARKER = 'ffffffffffffffffffffffffffffffff';

describe('decodeMessage', () => {
  const good: [string, string][] = [
    ['keepalive', `${MARKER} 0013 04`],
    ['notification', `${MARKER} 0015 03 06 02`], // Cease / Administrative Shutdown
    ['routeRefresh', `${MARKER} 0017 05 0001 00 01`], // IPv4 unicast
    ['update', `${MARKER} 0017 02 0000 0000`], // End-of-RIB
    [
      'open',
      `${MARKER} 0025 01 04 fde8 00b4 c0000201 08 02 06 01 04 0001 0001`, // AS 65000, hold 180, MP IPv4 unicast
    ],
  ];
  for (const [type, h] of good) {
    it(`decodes and re-encodes a ${type}`, () => {
      const bytes = hex(h);
      const r = decodeMessage(bytes, AS4_CTX);
      assert.ok(r.ok, r.ok ? '' : r.error.detail);
      assert.equal(r.message.type, type);
      assert.deepEqual(encodeMessage(r.message, AS4_CTX), bytes);
    });
  }

  it('reports a bad marker as Connection Not Synchronized (RFC 4271 §6.1)', () => {
    const r = decodeMessage(hex(`${MARKER.slice(2)}00 0013 04`), AS4_CTX);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.error.notification.code, r.error.notification.subcode], [1, 1]);
  });

  it('reports a length field that disagrees with the bytes as Bad Message Length', () => {
    const r = decodeMessage(hex(`${MARKER} 0020 04`), AS4_CTX);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.deepEqual([r.error.notification.code, r.error.notification.subcode], [1, 2]);
      assert.deepEqual(r.error.notification.data, hex('0020'));
    }
  });

  it('rejects a message over 4096 octets unless extended messages were negotiated (RFC 8654)', () => {
    const big = Buffer.alloc(5000);
    hex(`${MARKER} 1388 02 0000 0000`).copy(big);
    const r = decodeMessage(big, AS4_CTX);
    assert.equal(r.ok, false);
    const ext = decodeMessage(big, makeCtx({ as4: true, extendedMessage: true }));
    // With the capability the header is fine; the body then carries 4977 stray NLRI octets of zeros = 0.0.0.0/0 repeated.
    assert.ok(ext.ok);
  });

  it('passes UPDATE body errors through with the RFC 7606 class', () => {
    const r = decodeMessage(hex(`${MARKER} 0018 02 00ff 0000 00`), AS4_CTX);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.action, 'sessionReset');
  });
});
