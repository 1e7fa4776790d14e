/**
 * The typed per-peer status operators expect (`show bgp neighbors`): state, uptime or down
 * time, last errors both ways decoded to text, message counters, negotiated capabilities and
 * hold time, group and how the peer was found. A later issue serves it over HTTP and
 * metrics; this module only shapes it.
 */
import { performance } from 'node:perf_hooks';
import { ipv4ToString } from '../wire/nlri.js';
import type { Connection } from './connection.js';
import type { StateName } from './fsm.js';
import type { Peer, PeerOptions } from './peer.js';
import type { LastNotification, MessageCounters } from './stats.js';

export interface NegotiatedStatus {
  readonly peerAs: number;
  readonly peerBgpId: string;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly fourOctetAs: boolean;
  readonly families: readonly string[];
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  readonly gracefulRestart: { readonly restartTime: number; readonly notification: boolean } | null;
  readonly addPathSend: readonly string[];
  readonly addPathReceive: readonly string[];
  readonly extendedMessage: boolean;
  readonly peerCapabilityCodes: readonly number[];
  readonly peerHostname: string | null;
}

export interface PeerStatus {
  readonly name: string;
  readonly group: string;
  readonly origin: string;
  readonly remoteAddress: string;
  readonly localAddress: string | null;
  readonly state: StateName;
  /** ms since Established, when Established. */
  readonly uptimeMs: number | null;
  /** ms since the last state change, when not Established. */
  readonly downForMs: number | null;
  readonly connections: readonly { direction: string; state: StateName }[];
  readonly messagesReceived: MessageCounters;
  readonly messagesSent: MessageCounters;
  readonly lastNotificationSent: LastNotification | null;
  readonly lastNotificationReceived: LastNotification | null;
  readonly lastDownReason: string | null;
  readonly establishedTransitions: number;
  readonly droppedTransitions: number;
  readonly updateErrors: { readonly treatAsWithdraw: number; readonly attributeDiscard: number };
  readonly negotiated: NegotiatedStatus | null;
}

const famName = (f: { afi: number; safi: number }): string => {
  const afi = f.afi === 1 ? 'ipv4' : f.afi === 2 ? 'ipv6' : f.afi === 25 ? 'l2vpn' : `afi${f.afi}`;
  const safi = f.safi === 1 ? 'unicast' : f.safi === 2 ? 'multicast' : f.safi === 70 ? 'evpn' : f.safi === 128 ? 'vpn' : `safi${f.safi}`;
  return `${afi}-${safi}`;
};

export function peerStatus(peer: Peer, opts: PeerOptions, current: Connection | null): PeerStatus {
  const now = Date.now();
  const n = current?.negotiated ?? null;
  const est = current?.establishedAt ?? null;
  const s = peer.stats;
  return {
    name: peer.name,
    group: peer.group,
    origin: peer.origin,
    remoteAddress: opts.remoteAddress,
    localAddress: current?.localSocketAddress ?? opts.localAddress ?? null,
    state: peer.state,
    // establishedAt is on the FSM's monotonic clock (performance.now()).
    uptimeMs: est === null ? null : performance.now() - est,
    downForMs: est === null ? now - s.lastStateChangeAt : null,
    connections: peer.connectionStates(),
    messagesReceived: { ...s.received },
    messagesSent: { ...s.sent },
    lastNotificationSent: s.lastNotificationSent,
    lastNotificationReceived: s.lastNotificationReceived,
    lastDownReason: s.lastDownReason,
    establishedTransitions: s.establishedTransitions,
    droppedTransitions: s.droppedTransitions,
    updateErrors: { treatAsWithdraw: s.treatAsWithdraw, attributeDiscard: s.attributeDiscard },
    negotiated:
      n === null
        ? null
        : {
            peerAs: n.peerAs,
            peerBgpId: ipv4ToString(n.peerBgpId),
            holdTime: n.holdTime,
            keepaliveTime: n.keepaliveTime,
            fourOctetAs: n.as4,
            families: n.families.map(famName),
            routeRefresh: n.routeRefresh,
            enhancedRouteRefresh: n.enhancedRouteRefresh,
            gracefulRestart: n.gracefulRestart === null ? null : { restartTime: n.gracefulRestart.restartTime, notification: n.gracefulRestart.notification },
            addPathSend: n.addPath.send.map(famName),
            addPathReceive: n.addPath.receive.map(famName),
            extendedMessage: n.extendedMessage,
            peerCapabilityCodes: n.peerCapabilities.map((c) => (c.kind === 'unknown' ? c.code : capCode(c.kind))),
            peerHostname: n.peerFqdn === null ? null : n.peerFqdn.hostname,
          },
  };
}

const CAP_CODES: Readonly<Record<string, number>> = {
  multiprotocol: 1,
  routeRefresh: 2,
  extendedNextHop: 5,
  extendedMessage: 6,
  role: 9,
  gracefulRestart: 64,
  fourOctetAs: 65,
  addPath: 69,
  enhancedRouteRefresh: 70,
  longLivedGracefulRestart: 71,
  fqdn: 73,
  softwareVersion: 75,
  routeRefreshOld: 128,
};

function capCode(kind: string): number {
  return CAP_CODES[kind] ?? 0;
}
