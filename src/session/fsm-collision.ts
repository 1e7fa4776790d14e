/**
 * Connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3). A peer can have two
 * connections at once, ours and theirs, each with its own FSM; when an OPEN tells us the
 * peer's BGP Identifier, the driver asks `collisionVictim` which one to dump and feeds
 * OpenCollisionDump (event 23) to it.
 *
 * Must not: hold state or touch sockets; the driver owns both FSMs.
 *
 * Driver recipe, when connection B receives an OPEN while connection A exists:
 * 1. `collisionVictim(A.state.name, A.initiator, ...)` -> 'none': feed BGPOpen to B only.
 * 2. -> 'existing': feed OpenCollisionDump to A, then BGPOpen to B.
 * 3. -> 'incoming': feed OpenCollisionDump to B (it sends Cease / Connection Collision
 *    Resolution and closes); A continues.
 */
import type { StateName } from './fsm-types.js';

/** Who opened a TCP connection: we did (`local`, active side) or the peer did (`remote`). */
export type Initiator = 'local' | 'remote';

/**
 * Which connection survives: the one initiated by the speaker with the higher BGP
 * Identifier (RFC 4271 §6.8, compared as unsigned 32-bit integers). With equal identifiers
 * (possible between ASes, RFC 6286 §2.3) the speaker with the larger AS number wins.
 * Equal identifiers and equal ASes cannot pass OPEN validation (RFC 6286 §2.2); should it
 * happen anyway we keep the remote one, an arbitrary but fixed choice.
 *
 * @returns the initiator whose connection to keep
 */
export function resolveCollision(localId: number, remoteId: number, localAs: number, remoteAs: number): Initiator {
  const l = localId >>> 0;
  const r = remoteId >>> 0;
  if (l !== r) return l > r ? 'local' : 'remote';
  return localAs > remoteAs ? 'local' : 'remote';
}

/**
 * Which of two connections to dump when `incoming` received an OPEN while `existing` is in
 * `existingState`. §6.8: there is no collision with an Idle, Connect or Active connection
 * (nor OpenSent, whose peer identifier is unknown until its OPEN arrives); against
 * Established, the new connection is closed unless CollisionDetectEstablishedState is set.
 */
export function collisionVictim(
  existingState: StateName,
  existingInitiator: Initiator,
  ids: { readonly localId: number; readonly remoteId: number; readonly localAs: number; readonly remoteAs: number },
  collisionDetectEstablishedState: boolean,
): 'none' | 'existing' | 'incoming' {
  switch (existingState) {
    case 'Idle':
    case 'Connect':
    case 'Active':
    case 'OpenSent':
      return 'none';
    case 'Established':
      if (!collisionDetectEstablishedState) return 'incoming';
      break;
    case 'OpenConfirm':
      break;
  }
  const keep = resolveCollision(ids.localId, ids.remoteId, ids.localAs, ids.remoteAs);
  return keep === existingInitiator ? 'incoming' : 'existing';
}
