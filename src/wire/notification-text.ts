/**
 * Operator text for NOTIFICATION codes and subcodes, in the "Code/Subcode" form FRR logs
 * (`bgp_notify_code_str` / `bgp_notify_subcode_str` in bgpd/bgp_debug.c), for log lines and
 * status output only: logic switches on numbers, never on this text. Names are the RFC names
 * (RFC 4271 §4.5, RFC 4486, RFC 6608, RFC 7313, RFC 8538, RFC 9234, RFC 9384); where FRR words
 * differ (it says "Neighbor Events Error" for RFC 6608's Finite State Machine Error) we keep
 * the RFC's. Every number comes from iana.ts; anything else reads "Unknown ...".
 */
import { CEASE_SUB, ERR, FSM_SUB, HEADER_SUB, OPEN_SUB, ROUTE_REFRESH_SUB, UPDATE_SUB } from './iana.js';
import { shutdownMessage, unwrapHardReset } from './notification.js';

const CODE_TEXT: Readonly<Record<number, string>> = {
  [ERR.MESSAGE_HEADER]: 'Message Header Error',
  [ERR.OPEN_MESSAGE]: 'OPEN Message Error',
  [ERR.UPDATE_MESSAGE]: 'UPDATE Message Error',
  [ERR.HOLD_TIMER_EXPIRED]: 'Hold Timer Expired',
  [ERR.FSM]: 'Finite State Machine Error',
  [ERR.CEASE]: 'Cease',
  [ERR.ROUTE_REFRESH_MESSAGE]: 'ROUTE-REFRESH Message Error',
};

/** RFC 4271 §4.5: subcode 0 means "Unspecific" wherever no subcode 0 is defined. */
const UNSPECIFIC = 'Unspecific';

const SUBCODE_TEXT: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [ERR.MESSAGE_HEADER]: {
    0: UNSPECIFIC,
    [HEADER_SUB.CONNECTION_NOT_SYNCHRONIZED]: 'Connection Not Synchronized',
    [HEADER_SUB.BAD_MESSAGE_LENGTH]: 'Bad Message Length',
    [HEADER_SUB.BAD_MESSAGE_TYPE]: 'Bad Message Type',
  },
  [ERR.OPEN_MESSAGE]: {
    0: UNSPECIFIC,
    [OPEN_SUB.UNSUPPORTED_VERSION_NUMBER]: 'Unsupported Version Number',
    [OPEN_SUB.BAD_PEER_AS]: 'Bad Peer AS',
    [OPEN_SUB.BAD_BGP_IDENTIFIER]: 'Bad BGP Identifier',
    [OPEN_SUB.UNSUPPORTED_OPTIONAL_PARAMETER]: 'Unsupported Optional Parameter',
    [OPEN_SUB.UNACCEPTABLE_HOLD_TIME]: 'Unacceptable Hold Time',
    [OPEN_SUB.UNSUPPORTED_CAPABILITY]: 'Unsupported Capability',
    [OPEN_SUB.ROLE_MISMATCH]: 'Role Mismatch',
  },
  [ERR.UPDATE_MESSAGE]: {
    0: UNSPECIFIC,
    [UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST]: 'Malformed Attribute List',
    [UPDATE_SUB.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE]: 'Unrecognized Well-known Attribute',
    [UPDATE_SUB.MISSING_WELL_KNOWN_ATTRIBUTE]: 'Missing Well-known Attribute',
    [UPDATE_SUB.ATTRIBUTE_FLAGS_ERROR]: 'Attribute Flags Error',
    [UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR]: 'Attribute Length Error',
    [UPDATE_SUB.INVALID_ORIGIN_ATTRIBUTE]: 'Invalid ORIGIN Attribute',
    [UPDATE_SUB.INVALID_NEXT_HOP_ATTRIBUTE]: 'Invalid NEXT_HOP Attribute',
    [UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR]: 'Optional Attribute Error',
    [UPDATE_SUB.INVALID_NETWORK_FIELD]: 'Invalid Network Field',
    [UPDATE_SUB.MALFORMED_AS_PATH]: 'Malformed AS_PATH',
  },
  // Hold Timer Expired defines no subcodes: 0 prints as the code alone (see below).
  [ERR.HOLD_TIMER_EXPIRED]: {},
  [ERR.FSM]: {
    [FSM_SUB.UNSPECIFIED]: 'Unspecified Error',
    [FSM_SUB.UNEXPECTED_IN_OPENSENT]: 'Receive Unexpected Message in OpenSent State',
    [FSM_SUB.UNEXPECTED_IN_OPENCONFIRM]: 'Receive Unexpected Message in OpenConfirm State',
    [FSM_SUB.UNEXPECTED_IN_ESTABLISHED]: 'Receive Unexpected Message in Established State',
  },
  [ERR.CEASE]: {
    0: UNSPECIFIC,
    [CEASE_SUB.MAX_PREFIXES_REACHED]: 'Maximum Number of Prefixes Reached',
    [CEASE_SUB.ADMINISTRATIVE_SHUTDOWN]: 'Administrative Shutdown',
    [CEASE_SUB.PEER_DECONFIGURED]: 'Peer De-configured',
    [CEASE_SUB.ADMINISTRATIVE_RESET]: 'Administrative Reset',
    [CEASE_SUB.CONNECTION_REJECTED]: 'Connection Rejected',
    [CEASE_SUB.OTHER_CONFIGURATION_CHANGE]: 'Other Configuration Change',
    [CEASE_SUB.CONNECTION_COLLISION_RESOLUTION]: 'Connection Collision Resolution',
    [CEASE_SUB.OUT_OF_RESOURCES]: 'Out of Resources',
    [CEASE_SUB.HARD_RESET]: 'Hard Reset',
    [CEASE_SUB.BFD_DOWN]: 'BFD Down',
  },
  [ERR.ROUTE_REFRESH_MESSAGE]: {
    0: UNSPECIFIC,
    [ROUTE_REFRESH_SUB.INVALID_MESSAGE_LENGTH]: 'Invalid Message Length',
  },
};

/** "Code/Subcode" without data, e.g. "OPEN Message Error/Unsupported Capability". */
function codeSubcodeText(code: number, subcode: number): string {
  const codeText = CODE_TEXT[code];
  if (codeText === undefined) return `Unknown error code ${code}/Unknown subcode ${subcode}`;
  const subText = SUBCODE_TEXT[code]?.[subcode];
  if (subText !== undefined) return `${codeText}/${subText}`;
  if (code === ERR.HOLD_TIMER_EXPIRED && subcode === 0) return codeText;
  return `${codeText}/Unknown subcode ${subcode}`;
}

/**
 * Operator text for a NOTIFICATION, e.g. `Cease/Administrative Shutdown "maintenance"`. With
 * `data`, an RFC 9003 shutdown communication is appended in quotes (JSON-escaped, so control
 * characters cannot forge log lines) and the NOTIFICATION inside an RFC 8538 Hard Reset is
 * described in parentheses.
 */
export function describeNotification(code: number, subcode: number, data?: Buffer): string {
  const base = codeSubcodeText(code, subcode);
  if (data === undefined) return base;
  const fields = { code, subcode, data };
  const text = shutdownMessage(fields);
  if (text !== null) return `${base} ${JSON.stringify(text)}`;
  const inner = unwrapHardReset(fields);
  if (inner === null) return base;
  // One level only: a peer could nest Hard Resets 30000 deep, and this must never recurse on wire input.
  const innerText = shutdownMessage(inner);
  const innerBase = codeSubcodeText(inner.code, inner.subcode);
  return `${base} (${innerText === null ? innerBase : `${innerBase} ${JSON.stringify(innerText)}`})`;
}
