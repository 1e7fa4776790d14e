/**
 * Shared fixtures for the session tests: an iBGP route-reflector peer (AS 65000, our id
 * 10.0.0.1, theirs 10.0.0.2), and the peer's OPEN.
 */
import type { Capability } from '../../src/wire/capabilities.js';
import type { NotificationFields } from '../../src/wire/errors.js';
import type { OpenMessage } from '../../src/wire/open.js';
import type { LocalConfig, PeerSessionConfig } from '../../src/session/peer-config.js';
import { defaultPeerConfig } from '../../src/session/peer-config.js';

/** Dotted quad to an unsigned 32-bit number. */
export const ip = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);

export const LOCAL: LocalConfig = { localAs: 65000, bgpId: ip('10.0.0.1'), hostname: 'rr1', domain: 'example.net' };
export const CFG: PeerSessionConfig = defaultPeerConfig({ kind: 'exact', asn: 65000 });

export const notif = (code: number, subcode: number, data = Buffer.alloc(0)): NotificationFields => ({
  code,
  subcode,
  data,
});

export const PEER_CAPS: readonly Capability[] = [
  { kind: 'multiprotocol', afi: 1, safi: 1 },
  { kind: 'multiprotocol', afi: 2, safi: 1 },
  { kind: 'routeRefresh' },
  { kind: 'enhancedRouteRefresh' },
  { kind: 'fourOctetAs', asn: 65000 },
];

/** The peer's OPEN: AS 65000, hold 180, id 10.0.0.2, PEER_CAPS unless given. */
export function peerOpen(over: Partial<OpenMessage> = {}, caps: readonly Capability[] = PEER_CAPS): OpenMessage {
  return {
    version: 4,
    myAs: 65000,
    holdTime: 180,
    bgpId: ip('10.0.0.2'),
    params: [{ type: 'capabilities', capabilities: caps }],
    extendedParams: false,
    ...over,
  };
}
