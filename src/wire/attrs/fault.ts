/**
 * What an attribute decoder returns when the value is malformed: the stable reason, the
 * UPDATE Message Error subcode, and (when the attribute's own rule differs from its table
 * row) the RFC 7606 action. The table in ../attributes.ts turns a fault into a WireError.
 */
import type { ErrorAction, WireErrorReason } from '../errors.js';

export interface AttrFault {
  readonly fault: true;
  readonly reason: WireErrorReason;
  readonly subcode: number;
  readonly detail: string;
  /** Overrides the table row's action for this case. */
  readonly action?: ErrorAction;
}

export function fault(reason: WireErrorReason, subcode: number, detail: string, action?: ErrorAction): AttrFault {
  return action === undefined ? { fault: true, reason, subcode, detail } : { fault: true, reason, subcode, detail, action };
}

export function isFault(x: unknown): x is AttrFault {
  return typeof x === 'object' && x !== null && (x as { fault?: unknown }).fault === true;
}
