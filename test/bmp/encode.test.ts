/**
 * BMP encoders (RFC 7854) byte by byte: common header (§4.1), per-peer header (§4.2) with
 * an IPv4 peer in the last four octets of the address field and the V flag for IPv6,
 * microsecond timestamps, Peer Down data (§4.9), Initiation and Termination TLVs (§4.3-4.5).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BMP_DOWN, BMP_TYPE, encodeInitiation, encodePeerDown, encodeRouteMonitoring, encodeTermination, PEER_FLAG } from '../../src/bmp/encode.js';

const v4 = { peerType: 0, flags: PEER_FLAG.LEGACY_AS_PATH, address: Buffer.from([198, 51, 100, 7]), peerAs: 4200000001, peerBgpId: 0x0a000001, timestampMs: 1_700_000_000_123.5 };

describe('BMP encoders', () => {
  test('route monitoring: common header, per-peer header, then the PDU', () => {
    const pdu = Buffer.from('ffffffffffffffffffffffffffffffff00170200000000', 'hex');
    const m = encodeRouteMonitoring(v4, pdu);
    assert.equal(
      m.toString('hex'),
      [
        '03', '00000047', '00', // version 3, length 71, type 0
        '00', '20', '0000000000000000', // global instance peer, A flag, distinguisher 0
        '000000000000000000000000c6336407', // 198.51.100.7 in the last four octets
        'fa56ea01', '0a000001', // AS 4200000001, BGP ID 10.0.0.1
        '6553f100', '0001e26c', // 1700000000 s, 123500 µs
        pdu.toString('hex'),
      ].join(''),
    );
  });

  test('an IPv6 peer sets the V flag and fills the 16 octets', () => {
    const addr = Buffer.from('20010db8000000000000000000000001', 'hex');
    const m = encodePeerDown({ ...v4, flags: 0, address: addr }, BMP_DOWN.REMOTE_NO_DATA);
    assert.equal(m[5], BMP_TYPE.PEER_DOWN);
    assert.equal(m[7], PEER_FLAG.IPV6);
    assert.equal(m.subarray(16, 32).toString('hex'), addr.toString('hex'));
    assert.equal(m.length, 6 + 42 + 1);
    assert.equal(m[48], 4);
    assert.throws(() => encodePeerDown({ ...v4, address: Buffer.alloc(5) }, 4), RangeError);
  });

  test('peer down carries the NOTIFICATION; initiation and termination TLVs', () => {
    const n = Buffer.from('ffffffffffffffffffffffffffffffff0015030602', 'hex');
    const d = encodePeerDown(v4, BMP_DOWN.LOCAL_NOTIFICATION, n);
    assert.equal(d.readUInt32BE(1), d.length);
    assert.equal(d[48], 1);
    assert.equal(d.subarray(49).toString('hex'), n.toString('hex'));
    assert.equal(encodeInitiation('meshrr', 'rr1').toString('hex'), '03' + '00000017' + '04' + '0001' + '0006' + Buffer.from('meshrr').toString('hex') + '0002' + '0003' + Buffer.from('rr1').toString('hex'));
    assert.equal(encodeTermination(0).toString('hex'), '03' + '0000000c' + '05' + '0001' + '0002' + '0000');
  });
});
