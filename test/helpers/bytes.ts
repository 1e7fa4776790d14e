/**
 * Test helpers for writing wire bytes by hand: hex with spaces, newlines and `#` comments,
 * so every field of a vector can carry its own comment.
 */
export function hex(text: string): Buffer {
  const clean = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex in test vector: ${clean}`);
  return Buffer.from(clean, 'hex');
}

/** An UPDATE body (no header) from its three parts. */
export function updateBody(withdrawn: Buffer, attrs: Buffer, nlri: Buffer): Buffer {
  const w = Buffer.alloc(2);
  w.writeUInt16BE(withdrawn.length);
  const a = Buffer.alloc(2);
  a.writeUInt16BE(attrs.length);
  return Buffer.concat([w, withdrawn, a, attrs, nlri]);
}

/** Path attribute bytes: flags, code, value (Extended Length chosen by the flags). */
export function attr(flags: number, code: number, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? hex(value) : value;
  const ext = (flags & 0x10) !== 0;
  const h = Buffer.alloc(ext ? 4 : 3);
  h[0] = flags;
  h[1] = code;
  if (ext) h.writeUInt16BE(v.length, 2);
  else h[2] = v.length;
  return Buffer.concat([h, v]);
}
