/** Peer name ↔ RIB index (src/rr/peer-index.ts): stable, first-come indexes from 1, reverse lookup after growth. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeerIndex } from '../../src/rr/peer-index.js';

describe('rr: peer index', () => {
  it('hands out stable indexes and names them back', () => {
    const p = new PeerIndex();
    assert.equal(p.get('198.51.100.1'), undefined);
    assert.equal(p.of('198.51.100.1'), 1);
    assert.equal(p.of('198.51.100.2'), 2);
    assert.equal(p.of('198.51.100.1'), 1, 'a returning peer keeps its index');
    assert.equal(p.nameOf(2), '198.51.100.2');
    assert.equal(p.of('2001:db8::3'), 3);
    assert.equal(p.nameOf(3), '2001:db8::3', 'the reverse map follows growth');
    assert.equal(p.nameOf(9), undefined);
  });
});
