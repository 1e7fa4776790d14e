/**
 * Our own limits on a received UPDATE (issue 10): AS_PATH length and community count. An
 * UPDATE beyond them is treated as withdraw by the connection (the same path as an RFC 7606
 * §2 treat-as-withdraw error, so the prefixes leave the RIB) and logged apart.
 *
 * Must not: do I/O or decide the action (connection.ts does).
 */
import type { UpdateMessage } from '../wire/attribute-types.js';
import type { SessionLimits } from './peer-config.js';

/** An UPDATE beyond our AS_PATH or community limits: what the log and the RIB are told. */
export interface LimitExceeded {
  readonly limit: 'maxAsPathLength' | 'maxCommunities';
  readonly value: number;
  readonly max: number;
}

/** Counts an UPDATE against the AS_PATH and community limits; null when within them. */
export function checkUpdateLimits(u: UpdateMessage, limits: SessionLimits): LimitExceeded | null {
  let communities = 0;
  for (const a of u.attributes) {
    if (a.kind === 'asPath' || a.kind === 'as4Path') {
      // RFC 4271 §9.1.2.2 (a): an AS_SET counts as one, like the path length in best path.
      let n = 0;
      for (const seg of a.value) n += seg.type === 1 || seg.type === 4 ? 1 : seg.asns.length;
      if (n > limits.maxAsPathLength) return { limit: 'maxAsPathLength', value: n, max: limits.maxAsPathLength };
    } else if (a.kind === 'communities') {
      communities += a.value.length;
    } else if (a.kind === 'largeCommunities') {
      communities += a.value.length / 3;
    } else if (a.kind === 'extendedCommunities') {
      communities += a.value.length >>> 3;
    } else if (a.kind === 'ipv6ExtendedCommunities') {
      communities += Math.floor(a.value.length / 20);
    }
  }
  return communities > limits.maxCommunities ? { limit: 'maxCommunities', value: communities, max: limits.maxCommunities } : null;
}
