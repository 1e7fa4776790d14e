/**
 * Narrowing helpers for JSON written by other programs (ExaBGP's decodings, tshark -T json):
 * everything arrives as `unknown` and is checked before use, so a format change fails with a
 * message naming the field instead of a TypeError.
 */

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` as an object; throws naming `what` otherwise. */
export function asObject(v: unknown, what: string): JsonObject {
  if (!isObject(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)?.slice(0, 120)}`);
  return v;
}

/** `v` as an array; throws naming `what` otherwise. */
export function asArray(v: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array, got ${JSON.stringify(v)?.slice(0, 120)}`);
  return v;
}

export function asString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(v)?.slice(0, 120)}`);
  return v;
}

export function asNumber(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`${what}: expected a number, got ${JSON.stringify(v)?.slice(0, 120)}`);
  return v;
}

/** A decimal number given as a JSON number or a string (tshark writes every value as a string). */
export function asInt(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  const s = asString(v, what);
  const n = s.startsWith('0x') ? parseInt(s, 16) : Number(s);
  if (!Number.isFinite(n)) throw new Error(`${what}: not a number: ${s}`);
  return n;
}

/** Optional member of an object. */
export function field(o: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
