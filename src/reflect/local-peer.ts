/**
 * A ReflectorPeer for a peer that is not a BGP session: the start-up warm-up's in-memory
 * ports, the in-process bench and tests. An iBGP client with 4-octet ASes, IPv4 unicast, no
 * policy and no add-path unless `over` says otherwise; the BGP identifier is the address.
 */
import { AS4_CTX } from '../wire/context.js';
import { ACCEPT_ALL } from './export-entries.js';
import type { MemberPort } from './group-state.js';
import type { ReflectorPeer } from './reflector.js';

export function localPeer(index: number, address: Buffer, port: MemberPort, over: Partial<ReflectorPeer> = {}): ReflectorPeer {
  return {
    index,
    role: 'client',
    clusterId: 0,
    clientToClient: true,
    routeServer: false,
    bgpId: address.readUInt32BE(0),
    address,
    as4: true,
    extendedMessage: false,
    families: [{ afi: 1, safi: 1 }],
    encodeCtx: AS4_CTX,
    port,
    group: 'local',
    peerAs: 0,
    localAddress: null,
    exportRule: ACCEPT_ALL,
    importRule: ACCEPT_ALL,
    addPathSend: 0,
    addPathFamilies: [],
    ...over,
  };
}
