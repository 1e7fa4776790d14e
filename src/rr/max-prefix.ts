/**
 * Max-prefix per group (RFC 4486): a warning at the threshold, then Cease / Maximum Number
 * of Prefixes Reached with the AFI, SAFI and limit as data, and the session restarted after
 * the group's restart time (0: stays down until an operator or a reload brings it back).
 *
 * Owns: the check and the restart timers. Must not: count paths (the caller does).
 */
import type { Logger } from 'pino';
import { CEASE_SUB, ERR } from '../wire/iana.js';
import type { NotificationFields } from '../wire/errors.js';
import type { Peer } from '../session/peer.js';
import type { GroupConfig } from '../config/router-config-types.js';
import { FAMILY } from './session-config.js';

export class MaxPrefixGuard {
  private readonly restartTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly log: Logger) {}

  /** Checks a peer holding `count` paths against its group's limit. */
  check(peer: Peer, g: GroupConfig | undefined, count: number): void {
    const mp = g?.maxPrefix ?? null;
    if (mp === null) return;
    if (count <= mp.limit) {
      if (count * 100 >= mp.limit * mp.warningPercent) this.log.warn({ peer: peer.name, prefixes: count, limit: mp.limit }, 'maxPrefixWarning');
      return;
    }
    // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, data AFI, SAFI, upper bound.
    const fam = FAMILY[g?.families[0] ?? 'ipv4-unicast'];
    const data = Buffer.alloc(7);
    data.writeUInt16BE(fam.afi, 0);
    data[2] = fam.safi;
    data.writeUInt32BE(mp.limit >>> 0, 3);
    const n: NotificationFields = { code: ERR.CEASE, subcode: CEASE_SUB.MAX_PREFIXES_REACHED, data };
    this.log.warn({ peer: peer.name, prefixes: count, limit: mp.limit }, 'maxPrefixExceeded');
    void peer.stop(n).then(() => {
      if (mp.restartSeconds > 0) {
        const t = setTimeout(() => {
          this.restartTimers.delete(t);
          peer.start();
        }, mp.restartSeconds * 1000);
        this.restartTimers.add(t);
      }
    });
  }

  stop(): void {
    for (const t of this.restartTimers) clearTimeout(t);
    this.restartTimers.clear();
  }
}
