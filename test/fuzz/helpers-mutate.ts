/**
 * Applies fuzzer mutations to an UPDATE body, and checks that a decode result is one of the
 * outcomes RFC 7606 allows. The mutation code itself is careful never to read out of range:
 * it runs on already-mutated bytes.
 */
import assert from 'node:assert/strict';
import type { UpdateDecodeResult } from '../../src/wire/update.js';
import { ACTION_RANK, type ErrorAction } from '../../src/wire/errors.js';
import type { ByteEdit, Mutation } from './helpers-arbitraries.js';

function u16(b: Buffer, at: number): number {
  return at + 1 < b.length ? b.readUInt16BE(at) : -1;
}

/** Offsets of the attribute headers of the attribute field, walked while they fit. */
function attributeOffsets(b: Buffer): number[] {
  const wLen = u16(b, 0);
  if (wLen < 0) return [];
  const aLen = u16(b, 2 + wLen);
  if (aLen < 0) return [];
  const end = Math.min(b.length, 4 + wLen + aLen);
  const out: number[] = [];
  let p = 4 + wLen;
  while (p + 3 <= end && out.length < 64) {
    out.push(p);
    const ext = ((b[p] as number) & 0x10) !== 0;
    const len = ext ? u16(b, p + 2) : (b[p + 2] as number);
    if (len < 0) break;
    p += (ext ? 4 : 3) + len;
  }
  return out;
}

function addU16(b: Buffer, at: number, d: number): void {
  if (at + 1 < b.length) b.writeUInt16BE((b.readUInt16BE(at) + d + 0x10000 * 4) & 0xffff, at);
}

function addU8(b: Buffer, at: number, d: number): void {
  if (at < b.length) b[at] = ((b[at] as number) + d + 256 * 300) & 0xff;
}

/** A copy of `b` with one byte-level edit. */
function editBytes(src: Buffer, e: ByteEdit): Buffer {
  const b = Buffer.from(src);
  const n = b.length;
  switch (e.kind) {
    case 'set':
      if (n > 0) b[e.at % n] = e.value;
      return b;
    case 'xor':
      if (n > 0) b[e.at % n] = (b[e.at % n] as number) ^ e.mask;
      return b;
    case 'truncate':
      return b.subarray(0, e.at % (n + 1));
    case 'insert': {
      const p = e.at % (n + 1);
      return Buffer.concat([b.subarray(0, p), Buffer.from(e.bytes), b.subarray(p)]);
    }
    case 'delete': {
      const p = n === 0 ? 0 : e.at % n;
      return Buffer.concat([b.subarray(0, p), b.subarray(p + e.count)]);
    }
    default: {
      const never: never = e;
      throw new Error(`unknown edit ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Edits inside the value of the index-th attribute, then rewrites that attribute's length
 * and the Total Path Attribute Length so the framing stays consistent: the attribute's own
 * decoder sees the damage.
 */
function editValue(b: Buffer, index: number, e: ByteEdit): Buffer {
  const attrs = attributeOffsets(b);
  if (attrs.length === 0) return b;
  const p = attrs[index % attrs.length] as number;
  const ext = ((b[p] as number) & 0x10) !== 0;
  const hdr = ext ? 4 : 3;
  if (p + hdr > b.length) return b;
  const oldLen = ext ? b.readUInt16BE(p + 2) : (b[p + 2] as number);
  const vEnd = Math.min(p + hdr + oldLen, b.length);
  let value = editBytes(b.subarray(p + hdr, vEnd), e);
  if (value.length > (ext ? 0xffff : 0xff)) value = value.subarray(0, ext ? 0xffff : 0xff);
  const head = Buffer.from(b.subarray(p, p + hdr));
  if (ext) head.writeUInt16BE(value.length, 2);
  else head[2] = value.length;
  const out = Buffer.concat([b.subarray(0, p), head, value, b.subarray(vEnd)]);
  const wLen = u16(out, 0);
  addU16(out, 2 + wLen, value.length - (vEnd - p - hdr));
  return out;
}

/** A mutated copy of `body`. */
export function mutate(body: Buffer, m: Mutation): Buffer {
  if (m.kind === 'value') return editValue(body, m.index, m.edit);
  if (m.kind !== 'field') return editBytes(body, m);
  const b = Buffer.from(body);
  const attrs = attributeOffsets(b);
  const pick = attrs.length === 0 ? -1 : (attrs[m.index % attrs.length] as number);
  switch (m.which) {
    case 'withdrawnLength':
      addU16(b, 0, m.delta);
      break;
    case 'attributesLength': {
      const w = u16(b, 0);
      if (w >= 0) addU16(b, 2 + w, m.delta);
      break;
    }
    case 'attributeLength':
      if (pick >= 0) {
        if (((b[pick] as number) & 0x10) !== 0) addU16(b, pick + 2, m.delta);
        else addU8(b, pick + 2, m.delta);
      }
      break;
    case 'attributeFlags':
      if (pick >= 0) addU8(b, pick, m.delta);
      break;
    case 'prefixLength': {
      // the first prefix length octet of the NLRI field (after the attributes)
      const w = u16(b, 0);
      const a = w >= 0 ? u16(b, 2 + w) : -1;
      if (a >= 0) addU8(b, 4 + w + a, m.delta);
      break;
    }
    default:
      break;
  }
  return b;
}

const NON_FATAL: ReadonlySet<ErrorAction | null> = new Set<ErrorAction | null>([null, 'attributeDiscard', 'treatAsWithdraw']);

/**
 * RFC 7606 outcome check: a session reset carrying an UPDATE Message Error NOTIFICATION, or a
 * decoded UPDATE whose action is the strongest of its errors (null when it has none).
 */
export function assertClassified(r: UpdateDecodeResult, what: string): void {
  if (!r.ok) {
    assert.equal(r.error.action, 'sessionReset', `${what}: ok:false must be a session reset`);
    assert.equal(r.error.notification.code, 3, `${what}: UPDATE Message Error`);
    assert.ok(r.error.notification.subcode >= 1 && r.error.notification.subcode <= 11, `${what}: subcode ${r.error.notification.subcode}`);
    assert.ok(r.errors.includes(r.error), `${what}: the reset error is listed`);
    return;
  }
  assert.ok(NON_FATAL.has(r.action), `${what}: action ${String(r.action)}`);
  let strongest: ErrorAction | null = null;
  for (const e of r.errors) {
    assert.equal(e.notification.code, 3, `${what}: ${e.reason} is an UPDATE Message Error`);
    assert.notEqual(e.action, 'sessionReset', `${what}: ${e.reason} reset inside ok:true`);
    if (strongest === null || ACTION_RANK[e.action] > ACTION_RANK[strongest]) strongest = e.action;
  }
  assert.equal(r.action, strongest, `${what}: action is the strongest of ${r.errors.map((e) => e.reason).join(', ')}`);
}
