/**
 * The root of meshrr's error classes (STYLE.md §6). Every error raised off the wire path is a
 * `MeshrrError` with a stable, literal-typed `code`; callers switch on `code`, and the
 * underlying error goes in `cause`, never flattened into the message.
 *
 * Owns: the base class, the union of codes, and a cross-copy type guard. Must not: import
 * any other meshrr module (every layer may import this file).
 *
 * Like undici (lib/core/errors.js), `instanceof` works across duplicated copies of the
 * package: the check looks for a brand registered with `Symbol.for`, not the prototype chain.
 */

/** Every stable error code meshrr raises; add a new code here with a line saying when. */
export type MeshrrErrorCode =
  /** A config file could not be read (missing, unreadable, a directory). */
  | 'MESHRR_CONFIG_READ'
  /** A config file is not well-formed YAML (syntax, duplicate keys, several documents). */
  | 'MESHRR_CONFIG_PARSE'
  /** A config file is YAML but breaks the schema or a cross-check (see `problems`). */
  | 'MESHRR_CONFIG_INVALID';

const brand: unique symbol = Symbol.for('meshrr.error');

export class MeshrrError extends Error {
  override readonly name: string = 'MeshrrError';
  readonly code: MeshrrErrorCode;

  constructor(code: MeshrrErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `x instanceof MeshrrError` is true for any MeshrrError, even one made by another copy of
   * this module; subclasses keep the ordinary prototype check unless they define their own.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === MeshrrError) return isMeshrrError(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** Narrowing helper that works across duplicated copies of the package. */
export function isMeshrrError(value: unknown): value is MeshrrError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}
