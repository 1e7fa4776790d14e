/**
 * OPEN message (RFC 4271 §4.2) with optional parameters (RFC 5492) in both the classic
 * one-octet-length format and the extended format of RFC 9072. Pure codec: negotiation of
 * what both sides advertised belongs to the session layer.
 */
import type { Capability } from './capabilities.js';

/** One optional parameter, in the order it was on the wire. */
export type OptionalParameter =
  | { readonly type: 'capabilities'; readonly capabilities: readonly Capability[] }
  /** Any other parameter type (e.g. the deprecated authentication parameter 1), kept raw. */
  | { readonly type: 'other'; readonly code: number; readonly value: Buffer };

export interface OpenMessage {
  readonly version: number;
  /** My Autonomous System: a 2-octet field, AS_TRANS when the real AS needs 4 octets. */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier as an unsigned 32-bit number (RFC 6286). */
  readonly bgpId: number;
  readonly params: readonly OptionalParameter[];
  /** The parameters were (or are to be) written in the RFC 9072 extended format. */
  readonly extendedParams: boolean;
}
