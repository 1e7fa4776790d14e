/**
 * BGP capabilities (RFC 5492) carried in OPEN optional parameters: the typed forms.
 * Encoders and decoders for each capability live below the types. Unknown capabilities are
 * kept as code + bytes so they can be logged and re-encoded unchanged.
 *
 * RFCs: 4760 (multiprotocol), 2918 (route refresh), 7313 (enhanced route refresh),
 * 6793 (4-octet AS), 4724 + 8538 (graceful restart, N bit), 7911 (add-path),
 * 8654 (extended message), draft-walton-bgp-hostname (FQDN), 9234 (role),
 * 9494 (long-lived graceful restart), 8950 (extended next hop),
 * draft-abraitis-bgp-version-capability (software version).
 */

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
