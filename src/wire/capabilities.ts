/**
 * BGP capabilities (RFC 5492) carried in OPEN optional parameters: the typed forms, the code
 * of each typed kind, and the field values (flag bits, add-path modes) that the encoder
 * (`capability-encode.ts`) and decoder (`capability-decode.ts`) share.
 *
 * RFCs: 4760 (multiprotocol), 2918 (route refresh), 7313 (enhanced route refresh),
 * 6793 (4-octet AS), 4724 + 8538 (graceful restart, N bit), 7911 (add-path),
 * 8654 (extended message), draft-walton-bgp-hostname (FQDN), 9234 (role),
 * 9494 (long-lived graceful restart), 8950 (extended next hop),
 * draft-abraitis-bgp-version-capability (software version).
 *
 * Unknown capabilities, and known ones whose value is malformed, are kept as
 * `kind: 'unknown'` (code + bytes) so they can be logged and re-encoded unchanged.
 * This module does no negotiation: intersecting what both sides sent is the session's job.
 */
import { CAP } from './iana.js';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/** RFC 7911 §4 Send/Receive field. */
export type AddPathMode = 'receive' | 'send' | 'both';

export interface GracefulRestartFamily extends AfiSafi {
  /** F bit: forwarding state preserved (RFC 4724 §3). */
  readonly forwardingPreserved: boolean;
}

export interface LlgrFamily extends AfiSafi {
  /** F bit (RFC 9494 §3). */
  readonly forwardingPreserved: boolean;
  /** Long-lived stale time in seconds (24 bits). */
  readonly staleTime: number;
}

export interface ExtendedNextHopEntry extends AfiSafi {
  readonly nextHopAfi: number;
}

export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'routeRefresh' }
  /** Cisco's pre-standard route refresh, code 128: same meaning, kept distinct for re-encoding. */
  | { readonly kind: 'routeRefreshOld' }
  | { readonly kind: 'enhancedRouteRefresh' }
  | { readonly kind: 'fourOctetAs'; readonly asn: number }
  | {
      readonly kind: 'gracefulRestart';
      /** R bit: the sender has restarted (RFC 4724 §3). */
      readonly restarting: boolean;
      /** N bit: the sender supports graceful NOTIFICATION handling (RFC 8538 §2). */
      readonly notification: boolean;
      /** Restart time in seconds (12 bits). */
      readonly restartTime: number;
      readonly families: readonly GracefulRestartFamily[];
    }
  | { readonly kind: 'addPath'; readonly families: readonly (AfiSafi & { readonly mode: AddPathMode })[] }
  | { readonly kind: 'extendedMessage' }
  | { readonly kind: 'extendedNextHop'; readonly entries: readonly ExtendedNextHopEntry[] }
  | { readonly kind: 'fqdn'; readonly hostname: string; readonly domain: string }
  | { readonly kind: 'role'; readonly role: number }
  | { readonly kind: 'longLivedGracefulRestart'; readonly families: readonly LlgrFamily[] }
  | { readonly kind: 'softwareVersion'; readonly version: string }
  /** Any other code, and any known code whose value we could not parse, kept byte-exact. */
  | { readonly kind: 'unknown'; readonly code: number; readonly value: Buffer };

export type CapabilityKind = Capability['kind'];

// ===== codes and shared field values =====

export type KnownKind = Exclude<CapabilityKind, 'unknown'>;

/** The capability code of each typed kind. */
export const KIND_CODE: Readonly<Record<KnownKind, number>> = {
  multiprotocol: CAP.MULTIPROTOCOL,
  routeRefresh: CAP.ROUTE_REFRESH,
  routeRefreshOld: CAP.ROUTE_REFRESH_OLD,
  enhancedRouteRefresh: CAP.ENHANCED_ROUTE_REFRESH,
  fourOctetAs: CAP.FOUR_OCTET_AS,
  gracefulRestart: CAP.GRACEFUL_RESTART,
  addPath: CAP.ADD_PATH,
  extendedMessage: CAP.EXTENDED_MESSAGE,
  extendedNextHop: CAP.EXTENDED_NEXT_HOP,
  fqdn: CAP.FQDN,
  role: CAP.ROLE,
  longLivedGracefulRestart: CAP.LONG_LIVED_GRACEFUL_RESTART,
  softwareVersion: CAP.SOFTWARE_VERSION,
};

/** Codes that have a typed kind; any other code is `unknown` without being malformed. */
export const TYPED_CODES: ReadonlySet<number> = new Set(Object.values(KIND_CODE));

export const GR_RESTARTING = 0x8000; // R bit (RFC 4724 §3)
export const GR_NOTIFICATION = 0x4000; // N bit (RFC 8538 §2)
export const GR_TIME_MASK = 0x0fff;
export const FORWARDING_PRESERVED = 0x80; // F bit (RFC 4724 §3, RFC 9494 §3)
export const MAX_VALUE_LENGTH = 255; // Capability Length is one octet (RFC 5492 §4)

export const ADD_PATH_MODE: Readonly<Record<AddPathMode, number>> = { receive: 1, send: 2, both: 3 };
export const ADD_PATH_BY_VALUE: readonly (AddPathMode | undefined)[] = [undefined, 'receive', 'send', 'both'];

/** The wire code of a capability. */
export function capabilityCode(c: Capability): number {
  return c.kind === 'unknown' ? c.code : KIND_CODE[c.kind];
}

/** Whether this code has a typed form (so `unknown` with this code means malformed). */
export function isTypedCapabilityCode(code: number): boolean {
  return TYPED_CODES.has(code);
}
