/**
 * Route limits at the RIB boundary:
 * - max-prefix per group (RFC 4486): a warning once per crossing of the threshold, then
 *   Cease / Maximum Number of Prefixes Reached with the AFI, SAFI and limit as data, and the
 *   session restarted after the group's restart time (0: stays down until an operator or a
 *   reload brings it back);
 * - the global route cap (`maxRoutes`, issue 10): the peer whose UPDATE takes the total over
 *   it is reset with Cease / Out of Resources (RFC 4486 §4 subcode 8) and its routes leave
 *   the RIB.
 * A torn-down dynamic peer would come straight back as a new one: its address is held down
 * for the restart time (for ever when 0).
 *
 * Owns: the checks and the restart timers. Must not: count paths (the host does).
 */
import type { Logger } from 'pino';
import { CEASE_SUB, ERR } from '../wire/iana.js';
import type { NotificationFields } from '../wire/errors.js';
import type { Peer } from '../session/peer.js';
import type { GroupConfig } from '../config/router-config-types.js';
import { FAMILY } from './session-config.js';

export interface MaxPrefixHost {
  peerPaths(index: number): number;
  totalPaths(): number;
  maxRoutes(): number | undefined;
  holdDown(address: string, seconds: number, why: string): void;
}

export class MaxPrefixGuard {
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  /** Peers above their warning threshold (warned once per crossing). */
  private readonly warned = new Set<number>();

  constructor(
    private readonly log: Logger,
    private readonly host: MaxPrefixHost,
  ) {}

  /** Checks a peer (after one of its UPDATEs) against the global cap and its group's limit. */
  check(peer: Peer, index: number, g: GroupConfig | undefined): void {
    const mp = g?.maxPrefix ?? null;
    const cap = this.host.maxRoutes();
    if (mp === null && cap === undefined) return;
    const n = this.host.peerPaths(index);
    if (cap !== undefined && n > 0) {
      const total = this.host.totalPaths();
      if (total > cap) {
        this.log.error({ peer: peer.name, routes: total, limit: cap, peerRoutes: n }, 'maxRoutesExceeded');
        this.tearDown(peer, { code: ERR.CEASE, subcode: CEASE_SUB.OUT_OF_RESOURCES, data: Buffer.alloc(0) }, mp?.restartSeconds ?? 0);
        return;
      }
    }
    if (mp === null) return;
    if (n <= mp.limit) {
      const over = n * 100 >= mp.limit * mp.warningPercent;
      if (over && !this.warned.has(index)) this.log.warn({ peer: peer.name, prefixes: n, limit: mp.limit }, 'maxPrefixWarning');
      if (over) this.warned.add(index);
      else this.warned.delete(index);
      return;
    }
    this.warned.delete(index);
    // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, data AFI, SAFI, upper bound.
    const fam = FAMILY[g?.families[0] ?? 'ipv4-unicast'];
    const data = Buffer.alloc(7);
    data.writeUInt16BE(fam.afi, 0);
    data[2] = fam.safi;
    data.writeUInt32BE(mp.limit >>> 0, 3);
    this.log.warn({ peer: peer.name, prefixes: n, limit: mp.limit }, 'maxPrefixExceeded');
    this.tearDown(peer, { code: ERR.CEASE, subcode: CEASE_SUB.MAX_PREFIXES_REACHED, data }, mp.restartSeconds);
  }

  stop(): void {
    for (const t of this.restartTimers) clearTimeout(t);
    this.restartTimers.clear();
  }

  private tearDown(peer: Peer, n: NotificationFields, restartSeconds: number): void {
    if (peer.origin === 'listenRange') this.host.holdDown(peer.remoteAddress, restartSeconds > 0 ? restartSeconds : Infinity, `torn down with Cease subcode ${n.subcode}`);
    void peer.stop(n).then(() => {
      if (restartSeconds > 0) {
        const t = setTimeout(() => {
          this.restartTimers.delete(t);
          peer.start();
        }, restartSeconds * 1000);
        this.restartTimers.add(t);
      }
    });
  }
}
