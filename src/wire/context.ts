/**
 * What the session negotiated that changes how bytes are read and written (STYLE.md §3).
 * A context is per direction: decoders take the context of what the peer sends us, encoders
 * the context of what we send. The codec never reads globals, config or the clock.
 */
import { afiSafiKey, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from './iana.js';

export interface CodecCtx {
  /** Both sides advertised the 4-octet AS capability (RFC 6793 §3). */
  readonly as4: boolean;
  /** AFI/SAFI keys (afiSafiKey) whose NLRI carry a path identifier (RFC 7911 §3). */
  readonly addPath: ReadonlySet<number>;
  /** Both sides advertised the extended message capability (RFC 8654). */
  readonly extendedMessage: boolean;
  /** The session is eBGP: AS_CONFED segments are then malformed (RFC 7606 §7.2, RFC 5065 §5). */
  readonly external: boolean;
}

/** The context of a session before OPEN negotiation, and of an MRT file without hints. */
export const DEFAULT_CTX: CodecCtx = {
  as4: false,
  addPath: new Set<number>(),
  extendedMessage: false,
  external: false,
};

/** A context for 4-octet AS sessions (every modern peer, MRT *_AS4 records). */
export const AS4_CTX: CodecCtx = { ...DEFAULT_CTX, as4: true };

/** Whether NLRI of this family carry path identifiers in this direction. */
export function hasAddPath(ctx: CodecCtx, afi: number, safi: number): boolean {
  return ctx.addPath.size !== 0 && ctx.addPath.has(afiSafiKey(afi, safi));
}

/** Largest message this direction may carry. */
export function maxMessageLength(ctx: CodecCtx): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

/** Builds a context; unspecified fields take their pre-negotiation defaults. */
export function makeCtx(fields: Partial<CodecCtx>): CodecCtx {
  return { ...DEFAULT_CTX, ...fields };
}
