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
  | 'MESHRR_CONFIG_INVALID'
  /** The pod's environment variables are missing or malformed (POD_IP, UPDATE_SECONDS...). */
  | 'MESHRR_ENV_INVALID'
  /** A Nunjucks template could not be read (missing, unreadable). */
  | 'MESHRR_TEMPLATE_READ'
  /** A Nunjucks template failed to compile or render (syntax, undefined variable). */
  | 'MESHRR_TEMPLATE_RENDER'
  /** A template rendered, but its output is not a valid router config for the pod. */
  | 'MESHRR_TEMPLATE_OUTPUT'
  /** A DNS query timed out (no answer from any nameserver). */
  | 'MESHRR_DNS_TIMEOUT'
  /** A nameserver answered SERVFAIL (or REFUSED): it could not answer now. */
  | 'MESHRR_DNS_SERVFAIL'
  /** No nameserver could be reached (connection refused, network unreachable). */
  | 'MESHRR_DNS_UNREACHABLE'
  /** Any other resolver failure (malformed reply, resolver error). */
  | 'MESHRR_DNS_FAILED'
  /** resolv.conf (or the nameserver override) is unusable: no nameserver, bad address. */
  | 'MESHRR_DNS_CONFIG'
  /** An address or prefix given to the allow-range computation is malformed. */
  | 'MESHRR_ALLOW_INVALID'
  /** A new router config changes what only a restart can change (router ID, AS, listen addresses...). */
  | 'MESHRR_RELOAD_REFUSED';

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
