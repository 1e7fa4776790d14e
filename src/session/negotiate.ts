/**
 * Capability negotiation: whether the peer's OPEN is acceptable (`validateOpen`) and, if so,
 * what the session runs with (`Negotiated`, including the two codec contexts). What we
 * advertise is built in open-build.ts; the result type lives in negotiated.ts.
 *
 * Must not: do I/O, read the clock, or decide state transitions (fsm.ts does). The OPEN
 * version and the syntax of each capability are checked by the codec (src/wire/open.ts,
 * capability-decode.ts) before this module sees the message.
 *
 * RFCs: 4271 §6.2 (OPEN errors), 5492 §5 (Unsupported Capability data), 6286 (BGP
 * Identifier), 6793 (4-octet AS, AS_TRANS), 7607 (AS 0), 4760 §1 and §8 (families),
 * 2918 + 7313 (route refresh), 4724 + 8538 (graceful restart, N bit), 7911 (add-path),
 * 8654 (extended message), 9072 (extended optional parameters), 9234 (role), 8950 §4
 * (extended next hop), draft-walton-bgp-hostname-capability (FQDN).
 */
import type { AddPathMode, AfiSafi, Capability, ExtendedNextHopEntry } from '../wire/capabilities.js';
import { capabilitiesLength, encodeCapabilityInto } from '../wire/capability-encode.js';
import { makeCtx } from '../wire/context.js';
import type { NotificationFields } from '../wire/errors.js';
import { AFI, afiSafiKey, AS_TRANS, ERR, OPEN_SUB, ROLE, SAFI } from '../wire/iana.js';
import type { OpenMessage } from '../wire/open.js';
import { capabilitiesOf } from '../wire/open.js';
import type { Negotiated, NegotiatedGracefulRestart } from './negotiated.js';
import { advertisedCapabilities } from './open-build.js';
import type { LocalConfig, PeerSessionConfig, RequiredCapability } from './peer-config.js';
import { peerAsAllowed } from './peer-config.js';
import { isAcceptableHoldTime, keepaliveTime, negotiateHoldTime } from './timers.js';

/** Why an OPEN was refused: one per NOTIFICATION subcode we send from here. */
export type OpenRejectReason =
  | 'badPeerAs'
  | 'unacceptableHoldTime'
  | 'badBgpIdentifier'
  | 'unsupportedOptionalParameter'
  | 'unsupportedCapability'
  | 'roleMismatch';

export type OpenVerdict =
  | { readonly ok: true; readonly negotiated: Negotiated }
  | {
      readonly ok: false;
      readonly reason: OpenRejectReason;
      readonly notification: NotificationFields;
      /** For logs; never parsed. */
      readonly detail: string;
    };

const EMPTY = Buffer.alloc(0);

function reject(reason: OpenRejectReason, subcode: number, detail: string, data: Buffer = EMPTY): OpenVerdict {
  return { ok: false, reason, notification: { code: ERR.OPEN_MESSAGE, subcode, data }, detail };
}

/** The peer's AS per RFC 6793 §4.1, or a rejection. */
function peerAsOf(open: OpenMessage, caps: readonly Capability[]): number | OpenVerdict {
  const as4 = caps.find((c) => c.kind === 'fourOctetAs');
  if (as4 === undefined) {
    // RFC 7607 §2: AS 0 is refused; RFC 6793 §9: AS_TRANS is reserved, an OLD speaker cannot own it.
    if (open.myAs === 0 || open.myAs === AS_TRANS) {
      return reject('badPeerAs', OPEN_SUB.BAD_PEER_AS, `My AS ${open.myAs} without 4-octet AS capability`);
    }
    return open.myAs;
  }
  const asn = as4.asn;
  if (asn === 0 || asn === AS_TRANS) {
    return reject('badPeerAs', OPEN_SUB.BAD_PEER_AS, `4-octet AS capability carries ${asn}`);
  }
  // RFC 6793 §4.1: a 4-octet-only AS sends AS_TRANS in My AS, any other AS sends itself.
  // A mismatch is refused, as FRR does.
  const expectedMyAs = asn > 0xffff ? AS_TRANS : asn;
  if (open.myAs !== expectedMyAs) {
    return reject('badPeerAs', OPEN_SUB.BAD_PEER_AS, `My AS ${open.myAs} disagrees with 4-octet AS ${asn}`);
  }
  return asn;
}

/** RFC 9234 §4.2 allowed role pairs, ours -> the peer's. */
const ROLE_PEER: Readonly<Record<number, number>> = {
  [ROLE.PROVIDER]: ROLE.CUSTOMER,
  [ROLE.CUSTOMER]: ROLE.PROVIDER,
  [ROLE.RS]: ROLE.RS_CLIENT,
  [ROLE.RS_CLIENT]: ROLE.RS,
  [ROLE.PEER]: ROLE.PEER,
};

const isMp = (c: Capability): c is Extract<Capability, { kind: 'multiprotocol' }> => c.kind === 'multiprotocol';
const sends = (m: AddPathMode | undefined): boolean => m === 'send' || m === 'both';
const receives = (m: AddPathMode | undefined): boolean => m === 'receive' || m === 'both';

interface Peer {
  readonly caps: readonly Capability[];
  readonly families: readonly AfiSafi[];
  readonly addPath: Map<number, AddPathMode>;
}

function peerView(caps: readonly Capability[], ours: readonly AfiSafi[]): Peer {
  const mp = caps.filter(isMp);
  // RFC 4760 §1: a peer that sends no multiprotocol capability at all speaks IPv4 unicast.
  const theirs: readonly AfiSafi[] = mp.length === 0 ? [{ afi: AFI.IPV4, safi: SAFI.UNICAST }] : mp;
  const families = ours.filter((f) => theirs.some((t) => t.afi === f.afi && t.safi === f.safi));
  const addPath = new Map<number, AddPathMode>();
  for (const c of caps) {
    if (c.kind === 'addPath') for (const f of c.families) addPath.set(afiSafiKey(f.afi, f.safi), f.mode);
  }
  return { caps, families, addPath };
}

function has(p: Peer, kind: Capability['kind']): boolean {
  return p.caps.some((c) => c.kind === kind);
}

/** Whether the peer satisfies one required capability, given our configured add-path modes. */
function satisfies(r: RequiredCapability, p: Peer, cfg: PeerSessionConfig): boolean {
  switch (r.kind) {
    case 'multiprotocol':
      return p.families.some((f) => f.afi === r.afi && f.safi === r.safi);
    case 'routeRefresh':
      return has(p, 'routeRefresh') || has(p, 'routeRefreshOld');
    case 'enhancedRouteRefresh':
    case 'fourOctetAs':
    case 'gracefulRestart':
    case 'extendedMessage':
      return has(p, r.kind);
    case 'addPath': {
      const ours = cfg.capabilities.addPath.find((a) => a.afi === r.afi && a.safi === r.safi)?.mode;
      const theirs = p.addPath.get(afiSafiKey(r.afi, r.safi));
      if (ours === undefined || !p.families.some((f) => f.afi === r.afi && f.safi === r.safi)) return false;
      // RFC 7911 §4: our send needs their receive, our receive needs their send.
      return (!sends(ours) || receives(theirs)) && (!receives(ours) || sends(theirs));
    }
  }
}

/** The capability as we advertise it, for the NOTIFICATION data (RFC 5492 §5). */
function ourForm(r: RequiredCapability, advertised: readonly Capability[], cfg: PeerSessionConfig, localAs: number): Capability {
  switch (r.kind) {
    case 'multiprotocol':
      return { kind: 'multiprotocol', afi: r.afi, safi: r.safi };
    case 'addPath': {
      const mode = cfg.capabilities.addPath.find((a) => a.afi === r.afi && a.safi === r.safi)?.mode ?? 'both';
      return { kind: 'addPath', families: [{ afi: r.afi, safi: r.safi, mode }] };
    }
    case 'routeRefresh':
    case 'enhancedRouteRefresh':
    case 'extendedMessage':
      return { kind: r.kind };
    case 'fourOctetAs':
      return { kind: 'fourOctetAs', asn: localAs };
    case 'gracefulRestart':
      // validatePeerConfig guarantees we advertise it; the fallback keeps this total.
      return (
        advertised.find((c) => c.kind === 'gracefulRestart') ?? {
          kind: 'gracefulRestart',
          restarting: false,
          notification: false,
          restartTime: 0,
          families: [],
        }
      );
  }
}

/** RFC 5492 §5: each missing capability encoded as in an OPEN (code, length, value). */
function capabilityData(caps: readonly Capability[]): Buffer {
  const buf = Buffer.alloc(capabilitiesLength(caps));
  let at = 0;
  for (const c of caps) at = encodeCapabilityInto(c, buf, at);
  return buf;
}

function roleCheck(p: Peer, cfg: PeerSessionConfig, external: boolean): OpenVerdict | { local: number; peer: number } | null {
  const ours = cfg.capabilities.role;
  // RFC 9234 §4: roles apply to eBGP only; on iBGP a received role is ignored (as OpenBGPD).
  if (ours === null || !external) return null;
  const theirs = [...new Set(p.caps.flatMap((c) => (c.kind === 'role' ? [c.role] : [])))];
  if (theirs.length === 0) {
    // RFC 9234 §4.2: strict mode requires the peer's role.
    return ours.strict ? reject('roleMismatch', OPEN_SUB.ROLE_MISMATCH, 'peer sent no role (strict mode)') : null;
  }
  const peerRole = theirs[0];
  // RFC 9234 §4.2: several role capabilities with different values, or a wrong pair, mismatch.
  if (theirs.length > 1 || peerRole === undefined || ROLE_PEER[ours.role] !== peerRole) {
    return reject('roleMismatch', OPEN_SUB.ROLE_MISMATCH, `our role ${ours.role}, peer role(s) ${theirs.join(',')}`);
  }
  return { local: ours.role, peer: peerRole };
}

/**
 * Checks the peer's OPEN against our configuration (RFC 4271 §6.2) and, if acceptable,
 * negotiates the session. The checks run in this order; the first failure wins:
 * 1. peer AS: from the 4-octet AS capability when present, else My AS (RFC 6793 §4.1),
 *    never 0 or AS_TRANS (RFC 7607, RFC 6793 §9), within the configured spec -> Bad Peer AS;
 * 2. hold time 1 or 2, or under our configured minimum -> Unacceptable Hold Time;
 * 3. BGP Identifier 0, or equal to ours on iBGP (RFC 6286 §2.2) -> Bad BGP Identifier;
 * 4. an optional parameter other than capabilities -> Unsupported Optional Parameter;
 * 5. required capabilities the peer lacks -> Unsupported Capability, listing them all;
 * 6. RFC 9234 role mismatch (or missing role in strict mode) -> Role Mismatch.
 */
export function validateOpen(open: OpenMessage, peer: PeerSessionConfig, local: LocalConfig): OpenVerdict {
  const caps = capabilitiesOf(open);
  const peerAs = peerAsOf(open, caps);
  if (typeof peerAs !== 'number') return peerAs;
  if (!peerAsAllowed(peer.remoteAs, peerAs, local.localAs)) {
    return reject('badPeerAs', OPEN_SUB.BAD_PEER_AS, `peer AS ${peerAs} not allowed`);
  }
  if (!isAcceptableHoldTime(open.holdTime, peer.timers.minHoldTime)) {
    return reject('unacceptableHoldTime', OPEN_SUB.UNACCEPTABLE_HOLD_TIME, `hold time ${open.holdTime}`);
  }
  const external = peerAs !== local.localAs;
  if (open.bgpId === 0 || (!external && open.bgpId === local.bgpId)) {
    return reject('badBgpIdentifier', OPEN_SUB.BAD_BGP_IDENTIFIER, `BGP identifier ${open.bgpId >>> 0}`);
  }
  const other = open.params.find((p) => p.type === 'other');
  if (other !== undefined && other.type === 'other') {
    return reject('unsupportedOptionalParameter', OPEN_SUB.UNSUPPORTED_OPTIONAL_PARAMETER, `parameter ${other.code}`);
  }
  const p = peerView(caps, peer.families);
  const advertised = advertisedCapabilities(local, peer);
  const missing = peer.required.filter((r) => !satisfies(r, p, peer));
  if (missing.length > 0) {
    const forms = missing.map((r) => ourForm(r, advertised, peer, local.localAs));
    return reject(
      'unsupportedCapability',
      OPEN_SUB.UNSUPPORTED_CAPABILITY,
      `peer lacks ${missing.map((r) => r.kind).join(', ')}`,
      capabilityData(forms),
    );
  }
  const role = roleCheck(p, peer, external);
  if (role !== null && 'ok' in role) return role;
  return { ok: true, negotiated: negotiate(open, peer, p, peerAs, external, role) };
}

function negotiate(
  open: OpenMessage,
  cfg: PeerSessionConfig,
  p: Peer,
  peerAs: number,
  external: boolean,
  role: { local: number; peer: number } | null,
): Negotiated {
  const c = cfg.capabilities;
  const holdTime = negotiateHoldTime(cfg.timers.holdTime, open.holdTime);
  const as4 = c.fourOctetAs && has(p, 'fourOctetAs');
  const extendedMessage = c.extendedMessage && has(p, 'extendedMessage');
  // RFC 7911 §4: add-path is per family and direction; only negotiated families count.
  const send: AfiSafi[] = [];
  const receive: AfiSafi[] = [];
  for (const f of p.families) {
    const ours = c.addPath.find((a) => a.afi === f.afi && a.safi === f.safi)?.mode;
    const theirs = p.addPath.get(afiSafiKey(f.afi, f.safi));
    if (sends(ours) && receives(theirs)) send.push(f);
    if (receives(ours) && sends(theirs)) receive.push(f);
  }
  const keys = (l: readonly AfiSafi[]): Set<number> => new Set(l.map((f) => afiSafiKey(f.afi, f.safi)));
  const peerGr = p.caps.find((x) => x.kind === 'gracefulRestart');
  const gracefulRestart: NegotiatedGracefulRestart | null =
    c.gracefulRestart === null || peerGr === undefined
      ? null
      : {
          restartTime: peerGr.restartTime,
          peerRestarting: peerGr.restarting,
          families: peerGr.families.filter((g) => p.families.some((f) => f.afi === g.afi && f.safi === g.safi)),
          // RFC 8538 §2: the N bit counts only when both sides sent it.
          notification: c.gracefulRestart.notification && peerGr.notification,
        };
  const fqdn = p.caps.find((x) => x.kind === 'fqdn');
  // RFC 8950 §4: a pair counts when both sides advertised it, for a family both carry.
  const peerEnh = p.caps.flatMap((x) => (x.kind === 'extendedNextHop' ? x.entries : []));
  const extendedNextHop: ExtendedNextHopEntry[] = c.extendedNextHop.filter(
    (e) =>
      p.families.some((f) => f.afi === e.afi && f.safi === e.safi) &&
      peerEnh.some((t) => t.afi === e.afi && t.safi === e.safi && t.nextHopAfi === e.nextHopAfi),
  );
  return {
    peerAs,
    peerBgpId: open.bgpId,
    external,
    holdTime,
    keepaliveTime: keepaliveTime(holdTime),
    as4,
    families: p.families,
    routeRefresh: c.routeRefresh && (has(p, 'routeRefresh') || has(p, 'routeRefreshOld')),
    enhancedRouteRefresh: c.enhancedRouteRefresh && has(p, 'enhancedRouteRefresh'),
    gracefulRestart,
    addPath: { send, receive },
    extendedMessage,
    extendedNextHop,
    role,
    peerFqdn: fqdn === undefined ? null : { hostname: fqdn.hostname, domain: fqdn.domain },
    decodeCtx: makeCtx({ as4, addPath: keys(receive), extendedMessage, external }),
    encodeCtx: makeCtx({ as4, addPath: keys(send), extendedMessage, external }),
    peerCapabilities: p.caps,
  };
}
