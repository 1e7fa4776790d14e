/**
 * What malformed.test.ts sends meshrr over a raw socket, and the exact NOTIFICATION it must
 * answer with (RFC 4271 §6.1-§6.3, RFC 7606), or, for the non-fatal RFC 7606 classes, that
 * the session must stay up. The UPDATE rows are the session-reset rows of the RFC 7606 case
 * table in test/wire/update.test.ts (same bytes; that table is not exported), plus one
 * treat-as-withdraw and one attribute-discard row.
 *
 * Data fields: Message Header Error / Bad Message Length carries the erroneous Length field
 * (§6.1); Unsupported Version Number the largest version we support, 0x0004 (§6.2); Attribute
 * Length Error and Optional Attribute Error the attribute (type, length, value) as far as it
 * reached (§6.3; RFC 4760 §7 makes a bad MP_REACH/MP_UNREACH an Optional Attribute Error);
 * every other error here has an empty data field.
 */
import { MSG } from '../../src/wire/iana.js';
import { frameMessage } from '../../src/wire/header.js';
import { attr, hex, updateBody } from '../helpers/bytes.js';
import { rawOpen } from './helpers-raw.js';

export interface NotificationCase {
  /** Short name for the matrix. */
  readonly id: string;
  readonly name: string;
  readonly rfc: string;
  /** Sent instead of our OPEN (`open`), or once Established. */
  readonly when: 'open' | 'established';
  /** The bytes to send; gets our BGP identifier. */
  readonly bytes: (bgpId: number) => Buffer;
  readonly expect: { readonly code: number; readonly subcode: number; readonly data: string };
}

export interface KeepCase {
  readonly id: string;
  readonly name: string;
  readonly rfc: string;
  readonly bytes: Buffer;
  readonly action: 'treatAsWithdraw' | 'attributeDiscard';
}

const none = Buffer.alloc(0);
const ORIGIN_IGP = attr(0x40, 1, '00');
const AS_PATH4 = attr(0x40, 2, '02 02 0000fde8 0000fde9'); // AS_SEQUENCE 65000 65001
const NEXT_HOP = attr(0x40, 3, 'c6120002'); // 198.18.0.2
const NLRI_ONE = hex('18 cb0071'); // 203.0.113.0/24
const BASE = Buffer.concat([ORIGIN_IGP, AS_PATH4, NEXT_HOP]);
const update = (body: Buffer): Buffer => frameMessage(MSG.UPDATE, body);

/** A header with the given marker fill, length and type, and `pad` body octets. */
function header(opts: { markerByte0?: number; length: number; type: number; pad?: number }): Buffer {
  const b = Buffer.alloc(19 + (opts.pad ?? 0));
  b.fill(0xff, 0, 16);
  if (opts.markerByte0 !== undefined) b[0] = opts.markerByte0;
  b.writeUInt16BE(opts.length, 16);
  b[18] = opts.type;
  return b;
}

const MP_REACH_V6 = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00');
const MP_REACH_NH5 = attr(0x80, 14, '0002 01 05 2001db8000 00');
const MP_REACH_129 = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 81 20010db8000000000000000000000000ff');
const MP_UNREACH_TRUNC = attr(0x80, 15, '0002 01 40 20010db8');

export const NOTIFICATION_CASES: readonly NotificationCase[] = [
  // Message header (RFC 4271 §6.1).
  { id: 'marker-open', name: 'bad marker instead of OPEN', rfc: '4271 §6.1', when: 'open', bytes: () => header({ markerByte0: 0xfe, length: 19, type: MSG.KEEPALIVE }), expect: { code: 1, subcode: 1, data: '' } },
  { id: 'marker-est', name: 'bad marker when Established', rfc: '4271 §6.1', when: 'established', bytes: () => header({ markerByte0: 0x00, length: 19, type: MSG.KEEPALIVE }), expect: { code: 1, subcode: 1, data: '' } },
  { id: 'len18', name: 'length 18, below the header', rfc: '4271 §6.1', when: 'established', bytes: () => header({ length: 18, type: MSG.KEEPALIVE }), expect: { code: 1, subcode: 2, data: '0012' } },
  { id: 'len4097', name: 'length 4097 without extended messages', rfc: '4271 §6.1, 8654 §4', when: 'established', bytes: () => header({ length: 4097, type: MSG.UPDATE }), expect: { code: 1, subcode: 2, data: '1001' } },
  { id: 'keepalive20', name: 'KEEPALIVE of 20 octets', rfc: '4271 §6.1', when: 'established', bytes: () => header({ length: 20, type: MSG.KEEPALIVE, pad: 1 }), expect: { code: 1, subcode: 2, data: '0014' } },
  { id: 'type7', name: 'message type 7', rfc: '4271 §6.1', when: 'established', bytes: () => header({ length: 19, type: 7 }), expect: { code: 1, subcode: 3, data: '07' } },
  // OPEN (RFC 4271 §6.2).
  { id: 'open-v5', name: 'OPEN version 5', rfc: '4271 §6.2', when: 'open', bytes: (id) => rawOpen(id, { version: 5 }), expect: { code: 2, subcode: 1, data: '0004' } },
  { id: 'open-hold1', name: 'OPEN hold time 1', rfc: '4271 §6.2', when: 'open', bytes: (id) => rawOpen(id, { holdTime: 1 }), expect: { code: 2, subcode: 6, data: '' } },
  { id: 'open-hold2', name: 'OPEN hold time 2', rfc: '4271 §6.2', when: 'open', bytes: (id) => rawOpen(id, { holdTime: 2 }), expect: { code: 2, subcode: 6, data: '' } },
  { id: 'open-id0', name: 'OPEN BGP identifier 0', rfc: '4271 §6.2, 6286 §2.2', when: 'open', bytes: (id) => rawOpen(id, { bgpId: 0 }), expect: { code: 2, subcode: 3, data: '' } },
  { id: 'open-id-ours', name: 'OPEN with our own BGP identifier (iBGP)', rfc: '6286 §2.2', when: 'open', bytes: (id) => rawOpen(id, { bgpId: 0x0aff0001 }), expect: { code: 2, subcode: 3, data: '' } },
  { id: 'open-bad-as', name: 'OPEN from AS 65001', rfc: '4271 §6.2', when: 'open', bytes: (id) => rawOpen(id, { myAs: 65001, params: [{ type: 'capabilities', capabilities: [{ kind: 'fourOctetAs', asn: 65001 }] }] }), expect: { code: 2, subcode: 2, data: '' } },
  // UPDATE, session reset (RFC 4271 §6.3, RFC 7606 §3g, §4, §5.3, §7.11, RFC 4760 §7).
  {
    id: 'dup-mpreach', name: 'duplicate MP_REACH_NLRI',
    rfc: '7606 §3g',
    when: 'established',
    bytes: () => update(updateBody(none, Buffer.concat([MP_REACH_V6, MP_REACH_V6, ORIGIN_IGP, AS_PATH4]), none)),
    expect: { code: 3, subcode: 1, data: '' },
  },
  {
    id: 'mpreach-overrun', name: 'MP_REACH_NLRI overruns the attribute field',
    rfc: '7606 §4, §5.3',
    when: 'established',
    bytes: () => update(updateBody(none, Buffer.concat([hex('80 0e 30 0002 01 10'), ORIGIN_IGP]), none)),
    expect: { code: 3, subcode: 5, data: '800e300002011040010100' },
  },
  {
    id: 'mpreach-nh5', name: 'MP_REACH_NLRI next hop length 5 for IPv6',
    rfc: '7606 §7.11, 4760 §7',
    when: 'established',
    bytes: () => update(updateBody(none, Buffer.concat([MP_REACH_NH5, ORIGIN_IGP, AS_PATH4]), none)),
    expect: { code: 3, subcode: 9, data: MP_REACH_NH5.toString('hex') },
  },
  {
    id: 'mpreach-len129', name: 'MP_REACH_NLRI prefix length 129',
    rfc: '7606 §5.3, 4760 §7',
    when: 'established',
    bytes: () => update(updateBody(none, Buffer.concat([MP_REACH_129, ORIGIN_IGP, AS_PATH4]), none)),
    expect: { code: 3, subcode: 9, data: MP_REACH_129.toString('hex') },
  },
  {
    id: 'mpunreach-trunc', name: 'MP_UNREACH_NLRI truncated prefix',
    rfc: '7606 §5.3, 4760 §7',
    when: 'established',
    bytes: () => update(updateBody(none, MP_UNREACH_TRUNC, none)),
    expect: { code: 3, subcode: 9, data: MP_UNREACH_TRUNC.toString('hex') },
  },
  { id: 'nlri-len33', name: 'IPv4 NLRI prefix length 33', rfc: '7606 §5.3', when: 'established', bytes: () => update(updateBody(none, BASE, hex('21 cb007100 01'))), expect: { code: 3, subcode: 10, data: '' } },
  { id: 'nlri-trunc', name: 'IPv4 NLRI truncated', rfc: '7606 §5.3', when: 'established', bytes: () => update(updateBody(none, BASE, hex('18 cb00'))), expect: { code: 3, subcode: 10, data: '' } },
  { id: 'withdrawn-trunc', name: 'withdrawn routes truncated', rfc: '7606 §5.3', when: 'established', bytes: () => update(updateBody(hex('18 cb00'), none, none)), expect: { code: 3, subcode: 10, data: '' } },
  { id: 'wlen-overrun', name: 'Withdrawn Routes Length overruns the message', rfc: '4271 §6.3', when: 'established', bytes: () => update(hex('00ff 0000')), expect: { code: 3, subcode: 1, data: '' } },
  { id: 'alen-overrun', name: 'Total Path Attribute Length overruns the message', rfc: '4271 §6.3', when: 'established', bytes: () => update(hex('0000 00ff 40010100')), expect: { code: 3, subcode: 1, data: '' } },
  // One octet of body: the header check sees an UPDATE shorter than its 23-octet minimum first.
  { id: 'update-short', name: 'UPDATE body shorter than the two length fields', rfc: '4271 §6.1', when: 'established', bytes: () => update(hex('00')), expect: { code: 1, subcode: 2, data: '0014' } },
];

export const KEEP_CASES: readonly KeepCase[] = [
  { id: 'origin3-withdraw', name: 'ORIGIN value 3', rfc: '7606 §7.1', bytes: update(updateBody(none, Buffer.concat([attr(0x40, 1, '03'), AS_PATH4, NEXT_HOP]), NLRI_ONE)), action: 'treatAsWithdraw' },
  { id: 'atomic1-discard', name: 'ATOMIC_AGGREGATE length 1', rfc: '7606 §7.6', bytes: update(updateBody(none, Buffer.concat([BASE, attr(0x40, 6, '00')]), NLRI_ONE)), action: 'attributeDiscard' },
];

/** A well-formed UPDATE announcing 203.0.113.0/24: the sentinel sent after a kept case. */
export const SENTINEL = update(updateBody(none, BASE, NLRI_ONE));
