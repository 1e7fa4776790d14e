/**
 * Errors of the MRT reader. Each has a stable literal `code` (STYLE.md §6) and the byte
 * offset in the decompressed stream where the problem starts; the underlying cause (a zlib or
 * bzip2 error) goes in `cause`, never into the message text alone.
 */

export type MrtErrorCode =
  /** The stream ended inside a record (RFC 6396 §2: the length field promised more bytes). */
  | 'MESHRR_MRT_TORN_RECORD'
  /** The decompressor failed at a record boundary (no partial record pending). */
  | 'MESHRR_MRT_DECOMPRESS'
  /** The file could not be opened or read. */
  | 'MESHRR_MRT_IO';

export class MrtError extends Error {
  override readonly name = 'MrtError';
  readonly code: MrtErrorCode;
  /** Byte offset in the decompressed MRT stream (start of the torn record, or end of data). */
  readonly offset: number;

  constructor(code: MrtErrorCode, offset: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.offset = offset;
  }
}

/** Narrowing helper usable across duplicated module copies (checks the code, not the class). */
export function isMrtError(e: unknown): e is MrtError {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('MESHRR_MRT_');
}
