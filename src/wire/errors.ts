/**
 * Error classification for the codec (RFC 7606) and the one mapping from errors to a
 * NOTIFICATION (code, subcode, data). The codec never throws on untrusted bytes: every
 * decoder returns a value or one of the error shapes below. `throw` is kept for broken
 * invariants (bugs) only.
 */
import { ERR } from './iana.js';

/**
 * What to do with an UPDATE that carried a malformed attribute, ordered weakest to
 * strongest (RFC 7606 §2). The strongest action found in one UPDATE wins (§3 last para).
 */
export type ErrorAction = 'attributeDiscard' | 'treatAsWithdraw' | 'afiSafiDisable' | 'sessionReset';

export const ACTION_RANK: Readonly<Record<ErrorAction, number>> = {
  attributeDiscard: 1,
  treatAsWithdraw: 2,
  afiSafiDisable: 3,
  sessionReset: 4,
};

/** The stronger of two actions. */
export function strongerAction(a: ErrorAction, b: ErrorAction): ErrorAction {
  return ACTION_RANK[a] >= ACTION_RANK[b] ? a : b;
}

/** Code, subcode and data of a NOTIFICATION to send (RFC 4271 §4.5). */
export interface NotificationFields {
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
}

/**
 * Stable, machine-readable reasons. Logs and tests switch on these, never on text.
 */
export type WireErrorReason =
  // framing (RFC 4271 §6.1)
  | 'badMarker'
  | 'badMessageLength'
  | 'badMessageType'
  // OPEN (RFC 4271 §6.2, RFC 5492, RFC 9072)
  | 'openTruncated'
  | 'unsupportedVersion'
  | 'badOptionalParameters'
  | 'unsupportedOptionalParameter'
  | 'badCapability'
  // UPDATE framing (RFC 7606 §4)
  | 'withdrawnLengthOverrun'
  | 'attributesLengthOverrun'
  | 'attributeHeaderTruncated'
  | 'attributeLengthOverrun'
  | 'nlriSyntax'
  | 'withdrawnSyntax'
  // attributes (RFC 7606 §3, §7)
  | 'attributeFlags'
  | 'attributeLength'
  | 'originValue'
  | 'asPathSyntax'
  | 'asPathConfedInExternal'
  | 'nextHopSyntax'
  | 'aggregatorSyntax'
  | 'communitiesSyntax'
  | 'originatorIdSyntax'
  | 'clusterListSyntax'
  | 'mpReachSyntax'
  | 'mpUnreachSyntax'
  | 'mpNlriSyntax'
  | 'extendedCommunitiesSyntax'
  | 'largeCommunitySyntax'
  | 'aigpSyntax'
  | 'otcSyntax'
  | 'unrecognizedWellKnown'
  | 'missingWellKnown'
  | 'duplicateAttribute'
  | 'duplicateMpAttribute'
  | 'nlriWithoutNextHop'
  | 'localPrefFromExternal'
  | 'asPathAsZero'
  | 'aggregatorAsZero'
  | 'as4AttributeFromAs4Peer'
  // NOTIFICATION / ROUTE-REFRESH / KEEPALIVE bodies
  | 'notificationTruncated'
  | 'keepaliveLength'
  | 'routeRefreshLength';

/**
 * One malformation found in a message. `action` is the RFC 7606 class for UPDATE
 * attributes; for every other message it is `sessionReset`. `notification` is what to send
 * when the action is a session reset (RFC 7606 §3 keeps the RFC 4271 §6 code and subcode).
 */
export interface WireError {
  readonly reason: WireErrorReason;
  readonly action: ErrorAction;
  /** The attribute type code concerned, or null when the error is not about one attribute. */
  readonly attrCode: number | null;
  readonly notification: NotificationFields;
  /** Human-readable detail for logs; never parsed. */
  readonly detail: string;
}

const EMPTY = Buffer.alloc(0);

/** Builds a WireError with its NOTIFICATION fields. */
export function wireError(
  reason: WireErrorReason,
  action: ErrorAction,
  code: number,
  subcode: number,
  detail: string,
  attrCode: number | null = null,
  data: Buffer = EMPTY,
): WireError {
  return { reason, action, attrCode, notification: { code, subcode, data }, detail };
}

/** An UPDATE Message Error (code 3) with the given action. */
export function updateError(
  reason: WireErrorReason,
  action: ErrorAction,
  subcode: number,
  detail: string,
  attrCode: number | null = null,
  data: Buffer = EMPTY,
): WireError {
  return wireError(reason, action, ERR.UPDATE_MESSAGE, subcode, detail, attrCode, data);
}

/**
 * RFC 8538 §5: with the N bit negotiated, every NOTIFICATION except Cease/Hard Reset lets
 * the peers keep each other's routes (graceful restart). These Cease subcodes must instead
 * be sent wrapped in a Cease/Hard Reset so that routes are flushed: Maximum Number of
 * Prefixes Reached, Administrative Shutdown, Peer De-configured, Hard Reset, and
 * Administrative Reset (an implementation choice in the RFC's table; FRR treats it as hard
 * and so do we). This is the one place that decides it.
 */
export function isHardReset(n: NotificationFields): boolean {
  if (n.code !== ERR.CEASE) return false;
  return n.subcode === 1 || n.subcode === 2 || n.subcode === 3 || n.subcode === 4 || n.subcode === 9;
}
